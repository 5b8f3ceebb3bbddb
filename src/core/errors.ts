/**
 * The one error class. `code` is stable and the CLI maps it to an exit status; `where` is the
 * `file:line` the problem was found at, when there is one.
 */
export type ErrorCode =
  | 'CONFIG' // a config or filter file is invalid
  | 'USAGE' // bad command-line arguments
  | 'INPUT' // a file to read is missing or unreadable
  | 'FIREWALL' // a firewall command failed
  | 'STORE' // the database cannot be opened or migrated
  | 'SOCKET' // the control socket is unreachable, refused, or already served
  | 'PERMISSION' // not root / not allowed
  | 'MISSING' // a required program (nft, ipset...) is not installed
  | 'PROTOCOL'; // a malformed control request or reply

export class MailjailError extends Error {
  readonly code: ErrorCode;
  /** Every problem found, one line each, already formatted as `file:line: path: message`. */
  readonly problems: string[];

  constructor(code: ErrorCode, message: string, problems: string[] = []) {
    super(message);
    this.name = 'MailjailError';
    this.code = code;
    this.problems = problems;
  }
}

/** Exit statuses the CLI documents. */
export const EXIT_STATUS: Record<ErrorCode, number> = {
  USAGE: 2,
  CONFIG: 3,
  INPUT: 4,
  STORE: 5,
  FIREWALL: 6,
  SOCKET: 7,
  PERMISSION: 8,
  MISSING: 9,
  PROTOCOL: 10,
};

export function isMailjailError(e: unknown): e is MailjailError {
  return e instanceof MailjailError;
}
