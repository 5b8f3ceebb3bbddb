/**
 * The shape of /etc/mailjail: mailjail.yaml and jails.d/*.yaml. YAML keys are the property names,
 * so a zod issue path is the YAML path. Every object is strict: an unknown key is an error.
 */
import { z } from 'zod';
import { parseDuration } from '../core/duration';
import { parseCidr } from '../core/ip';
import { JAIL_NAME, JAIL_NAME_RULE, TABLE_NAME, TABLE_NAME_RULE } from '../core/names';
import { EVENT_KINDS } from '../core/types';
import { parseListenAddress } from './listen-address';

const duration = z
  .union([z.string(), z.number()])
  .refine((v) => parseDuration(v) !== null, { message: 'expected a duration such as 90s, 10m, 1h, 1d or 1w' })
  .transform((v) => parseDuration(v) as number);

const cidrText = z
  .string()
  .refine((v) => parseCidr(v) !== null, { message: 'expected an IP address or CIDR (192.0.2.0/24, 2001:db8::/32)' });

const eventKind = z.enum(EVENT_KINDS);
const jailName = z.string().regex(JAIL_NAME, JAIL_NAME_RULE);
const port = z.number().int().min(1).max(65535);

const eventRule = z.union([
  z.number().min(0),
  z.object({ weight: z.number().min(0), findTime: duration.optional() }).strict(),
]);

const journalMatches = z.array(z.string().regex(/^([A-Z0-9_]+=.*|\+)$/, 'expected FIELD=value (or + between groups)')).min(1);
/** The system journal with matches, or a journal directory (a container with the host's /var/log/journal mounted). */
const journal = z
  .object({ matches: journalMatches, directory: z.string().min(1) })
  .partial()
  .strict()
  .refine((j) => j.matches !== undefined || j.directory !== undefined, 'expected matches, a directory, or both');
const journalSource = z.object({ journal }).strict();
/** `orJournal`: read the journal instead when no file matches at start (Debian without rsyslog, issue 15). */
const fileSource = z.object({ file: z.string().min(1), orJournal: journal.optional() }).strict();

/** Every key optional: a drop-in may set just `enabled: true` and `sources`. Defaults are applied after merging. */
const JailPatchSchema = z
  .object({
    enabled: z.boolean(),
    sources: z.array(z.union([fileSource, journalSource])),
    filters: z.array(z.string().min(1)).min(1),
    events: z.record(eventKind, eventRule),
    maxRetry: z.number().positive(),
    findTime: duration,
    banTime: duration,
    escalation: z.union([z.literal(false), z.object({ factor: z.number().min(1), maxBanTime: duration }).strict()]),
    ignoreIp: z.array(cidrText),
    ports: z.union([z.literal('all'), z.array(port).min(1)]),
    action: z.string().min(1),
    /** Several actions, each with its own retries: the first is the firewall (restored, reconciled), e.g. [nftables, notify]. */
    actions: z.array(z.string().min(1)).min(1),
    /** false: this jail's strikes stay on this server (its bans are still shared with the fleet). */
    fleet: z.boolean(),
    startAt: z.union([z.enum(['end', 'beginning']), z.object({ replay: duration }).strict()]),
    ipv6HostPrefix: z.number().int().min(32).max(128),
    fingerprint: z.object({ enabled: z.boolean(), events: z.array(eventKind), banTime: duration }).partial().strict(),
    spray: z.object({ enabled: z.boolean(), distinctIps: z.number().int().min(2), window: duration, grace: duration }).partial().strict(),
    subnet: z
      .object({
        enabled: z.boolean(),
        threshold: z.number().int().min(2),
        window: duration,
        ipv4Prefix: z.number().int().min(8).max(31),
        ipv6Prefix: z.number().int().min(16).max(127),
      })
      .partial()
      .strict(),
    customers: z
      .object({
        enabled: z.boolean(),
        window: duration,
        weight: z.number().min(0).max(1),
        forgive: z.boolean(),
        maxFailures: z.number().int().min(1),
        findTime: duration,
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();
export type JailPatch = z.infer<typeof JailPatchSchema>;

export const JailsFileSchema = z
  .object({ jails: z.record(jailName, JailPatchSchema) })
  .strict();

const commandAction = z
  .object({
    type: z.literal('command'),
    ban: z.array(z.string()).min(1),
    unban: z.array(z.string()).min(1),
    setup: z.array(z.string()).min(1).optional(),
    teardown: z.array(z.string()).min(1).optional(),
  })
  .strict();

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port');

/** Sharing bans and counts with other servers through Redis (issue 13); absent: a single server. */
const fleetSchema = z
  .object({
    redis: z.union([
      z.string().regex(/^rediss?:\/\/\S+$/, 'expected redis://[user:password@]host:port/db or rediss:// (TLS)'),
      z
        .object({
          sentinels: z.array(hostPort).min(1),
          name: z.string().min(1),
          username: z.string().min(1),
          password: z.string().min(1),
          sentinelPassword: z.string().min(1),
          db: z.number().int().min(0),
          tls: z.boolean(),
        })
        .partial()
        .required({ sentinels: true, name: true })
        .strict(),
    ]),
    node: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'expected a host-like name (letters, digits, . _ -)'),
    secretFile: z.string().min(1),
    /** Prefix of every Redis key mailjail uses (one Redis may serve several fleets, or rspamd too). */
    keyPrefix: z.string().regex(/^[A-Za-z0-9:._-]{1,64}$/),
    /** CA certificate(s) that signed Redis's TLS certificate (rediss://, or Sentinel with tls); default Node's CA store. */
    caFile: z.string().min(1),
    /** How many events the stream keeps (XADD MAXLEN ~): a node down longer resyncs from the active bans. */
    streamLength: z.number().int().min(1000),
  })
  .partial()
  .required({ redis: true, secretFile: true })
  .strict();
export type FleetFile = z.infer<typeof fleetSchema>;

export const MainFileSchema = z
  .object({
    database: z.string().min(1),
    socket: z.string().min(1),
    /** Members of this group may use the control socket (mode 0660); default root only (0600). */
    socketGroup: z.string().min(1),
    action: z.string().min(1),
    ignoreIp: z.array(cidrText),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
    actions: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/), commandAction),
    nftables: z.object({ table: z.string().regex(TABLE_NAME, TABLE_NAME_RULE) }).partial().strict(),
    ipset: z.object({ maxElem: z.number().int().min(1024) }).partial().strict(),
    /** How often the kernel's sets are compared with the database and missing bans re-asserted. */
    reconcileInterval: duration,
    /** Prometheus metrics: an HTTP listener and/or a node_exporter textfile (README "Watching mailjail"). */
    metrics: z
      .object({ listen: z.string().min(1), allowRemote: z.boolean(), textfile: z.string().regex(/^\/.*\.prom$/, 'expected an absolute path ending in .prom'), sourceGrace: duration })
      .partial()
      .strict()
      .superRefine((m, ctx) => {
        if (m.listen === undefined) return;
        const a = parseListenAddress(m.listen);
        if (typeof a === 'string') ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['listen'], message: a });
        else if (!a.isLoopback && !m.allowRemote) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['listen'], message: `${a.host} is not a loopback address: metrics show attackers how close they are to a ban; set metrics.allowRemote: true if you mean it` });
        }
      }),
    /** How long a strike keeps its log line (evidence for `why`); the strike itself stays as long as a jail needs it. */
    logLineRetention: duration,
    fleet: fleetSchema,
    /** The widest prefix `mailjail ban` accepts without --force (issue 15). */
    maxBanPrefix: z.object({ ipv4: z.number().int().min(0).max(32), ipv6: z.number().int().min(0).max(128) }).partial().strict(),
  })
  .partial()
  .strict();
export type MainFile = z.infer<typeof MainFileSchema>;
