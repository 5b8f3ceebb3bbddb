/** WHERE clauses built from optional conditions, with named parameters. */
export interface Filter {
  /** SQL conditions, to be joined with AND. */
  where: string[];
  params: Record<string, unknown>;
}

export function whereClause(conditions: string[]): string {
  return conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
}

/** Narrows `f` to one jail when one is given. */
export function addJail(f: Filter, jail: string | undefined): Filter {
  if (jail !== undefined) {
    f.where.push('jail = @jail');
    f.params.jail = jail;
  }
  return f;
}
