/**
 * The shape of a filter file (`filters/<name>.yaml`). YAML keys are the property names, so a zod
 * issue path is the YAML path. Regexes are strings here; compile-filter.ts turns them into RegExps
 * and reports bad ones with the same paths.
 */
import { z } from 'zod';
import { EVENT_KINDS } from '../core/types';

const NAME = /^[a-z][a-z0-9-]*$/;

const RuleSchema = z
  .object({
    /** Stable id, reported as `Failure.rule` (`filter/rule` in strikes). */
    id: z.string().regex(NAME, 'expected a lower-case id like "sasl-auth-failed"'),
    /** What the line means. A rule without one only updates the session (state, helo, user). */
    event: z.enum(EVENT_KINDS).optional(),
    /** Literal texts; the rule's regex runs only on lines containing at least one of them. */
    keywords: z.array(z.string().min(3, 'keywords shorter than 3 characters match everything').refine((k) => !k.includes('\n'), 'a keyword cannot span lines')).min(1),
    /** Regex applied right after the filter's prefix (sticky: it cannot float over the line). */
    regex: z.string().min(1),
    ignoreCase: z.boolean().optional(),
    /** Session states in which the rule applies (a session starts in state `start`). */
    when: z.array(z.string().regex(NAME)).min(1).optional(),
    /** What the rule does to the session after it matched. */
    then: z
      .object({
        state: z.string().regex(NAME).optional(),
        reset: z.boolean().optional(),
        forget: z.array(z.enum(['user', 'helo'])).optional(),
        /** The session is over (Postfix `disconnect from`): forget it, the key's next line starts a new one. */
        end: z.boolean().optional(),
      })
      .strict()
      .optional(),
    /**
     * A session's summary line (Postfix `disconnect ... auth=0/1`, Exim `no MAIL ... C=...`): it
     * yields nothing when an earlier line of the same session already told the same login outcome:
     * a failed login (for failure summaries) or a login (for auth-success). One failure, one strike.
     */
    summary: z.boolean().optional(),
    /** How the captured user is encoded on the wire (IceWarp logs the raw AUTH exchange). */
    decode: z.object({ user: z.enum(['base64', 'sasl-plain']) }).strict().optional(),
    description: z.string().optional(),
  })
  .strict();

const FilterObjectSchema = z
  .object({
    description: z.string().optional(),
    /** Regex for the head every line of this log starts with; may bind <TIME>, <HOST>, (?<session>). */
    prefix: z.string().min(1),
    /** Regex over the file's base name with groups year, month, day (logs that only write times). */
    fileDate: z.string().optional(),
    /** Named regex fragments, used as `%(name)` in prefix, rules and ignore. */
    defs: z.record(z.string().regex(/^\w+$/, 'expected a word'), z.string()).optional(),
    /** Known botnet HELO names (compared case-insensitively). */
    fingerprints: z.object({ helo: z.array(z.string().min(1)) }).strict().optional(),
    /** Regexes applied like rules (right after the prefix); a line matching one yields nothing. */
    ignore: z.array(z.string().min(1)).optional(),
    rules: z.array(RuleSchema).min(1),
  })
  .strict();

export type FilterDef = z.infer<typeof FilterObjectSchema>;
export const FilterSchema: z.ZodType<FilterDef> = FilterObjectSchema;
