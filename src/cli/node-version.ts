/**
 * mailjail needs Node.js 20 (Debian 12 ships 18): say so in one line at start instead of failing
 * somewhere later with an error about a missing API (issue 15).
 */
export const MIN_NODE_MAJOR = 20;

/** The problem with running on `version` (process.versions.node), or null when it will do. */
export function nodeVersionProblem(version: string): string | null {
  const major = Number(version.split('.')[0]);
  if (major >= MIN_NODE_MAJOR) return null;
  return `mailjail needs Node.js ${MIN_NODE_MAJOR} or later; this is ${version} (Debian 12 ships 18: see README, "Install as a service", for Node 20)`;
}
