/**
 * The control protocol: one JSON object per line each way over the Unix socket. Every request is
 * validated before anything acts on it; a reply is `{ok: true, result}` or `{ok: false, error}`.
 * Addresses are parsed into canonical IP/CIDR text here, before any handler sees them.
 */
import { z } from 'zod';
import { parseDuration } from '../core/duration';
import { parseCidr, widenedNetwork } from '../core/ip';
import { JAIL_NAME } from '../core/names';

/** A request line longer than this is refused (and the connection closed). */
export const MAX_REQUEST_BYTES = 64 * 1024;

const address = z
  .string()
  .max(64)
  .transform((v, ctx) => {
    const c = parseCidr(v.trim());
    if (!c) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not an IP address or CIDR: ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return c.text;
  });
/** A ban target must be written as its network: `2001:db8::/16` is refused, never widened to `2001::/16`. */
const banTarget = z
  .string()
  .max(64)
  .superRefine((v, ctx) => {
    const widened = widenedNetwork(v.trim());
    if (widened) ctx.addIssue({ code: z.ZodIssueCode.custom, message: hostBitsMessage(v.trim(), widened) });
  })
  .pipe(address);
const jail = z.string().regex(JAIL_NAME, 'not a jail name');
const durationMs = z
  .string()
  .max(32)
  .refine((v) => (parseDuration(v) ?? 0) > 0, 'expected a duration such as 90s, 10m, 1d or 1w')
  .transform((v) => parseDuration(v) as number);

const RequestSchema = z.discriminatedUnion('cmd', [
  z.object({ cmd: z.literal('status'), jail: jail.optional() }).strict(),
  z.object({ cmd: z.literal('list'), jail: jail.optional(), ip: address.optional() }).strict(),
  z
    .object({ cmd: z.literal('ban'), ip: banTarget, jail: jail.optional(), for: durationMs.optional(), reason: z.string().max(200).optional(), force: z.boolean().optional() })
    .strict(),
  z.object({ cmd: z.literal('unban'), ip: z.union([address, z.literal('*')]), jail: jail.optional() }).strict(),
  z.object({ cmd: z.literal('why'), ip: address, limit: z.number().int().min(1).max(10_000).optional() }).strict(),
  z.object({ cmd: z.literal('reload') }).strict(),
  z.object({ cmd: z.literal('ping') }).strict(),
  z.object({ cmd: z.literal('metrics') }).strict(),
]);
export type Request = z.infer<typeof RequestSchema>;
export type RequestInput = z.input<typeof RequestSchema>;

export type ErrorReply = { ok: false; error: { code: string; message: string } };
export type Reply<T = unknown> = { ok: true; result: T } | ErrorReply;

/** Why a ban target with host bits set is refused: it names the network it would have become. */
export function hostBitsMessage(text: string, widened: string): string {
  return `refusing to ban ${text}: it has host bits set past its prefix and would become ${widened}; write the network you mean (${widened}, or a longer prefix)`;
}

/** Parses one request line; an error reply says exactly what is wrong with it. */
export function parseRequest(line: string): { request?: Request; error?: ErrorReply } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { error: { ok: false, error: { code: 'PROTOCOL', message: 'request is not valid JSON' } } };
  }
  const parsed = RequestSchema.safeParse(value);
  if (parsed.success) return { request: parsed.data };
  const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ');
  return { error: { ok: false, error: { code: 'PROTOCOL', message } } };
}
