import { nodeVersionProblem } from '../../../src/cli/node-version';

describe('the Node.js version check at start (issue 15)', () => {
  it("refuses Debian 12's Node 18 in one line that says what to install", () => {
    expect(nodeVersionProblem('18.19.0')).toBe(
      'mailjail needs Node.js 20 or later; this is 18.19.0 (Debian 12 ships 18: see README, "Install as a service", for Node 20)',
    );
  });

  it('accepts Node 20 and later', () => {
    for (const v of ['20.0.0', '20.19.2', '22.11.0']) expect(nodeVersionProblem(v)).toBeNull();
  });
});
