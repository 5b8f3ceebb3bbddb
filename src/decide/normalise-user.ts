/**
 * User names are compared normalised: `Info@Example.COM`, `info` and ` INFO ` are one mailbox
 * to a sprayer. Only a keyed hash of the result is ever stored (hashing is injected: decide/ is pure).
 */
export function normaliseUser(user: string): string {
  let u = user.trim().toLowerCase();
  const at = u.indexOf('@');
  if (at > 0) u = u.slice(0, at);
  return u;
}

export type UserHasher = (normalisedUser: string) => string;
