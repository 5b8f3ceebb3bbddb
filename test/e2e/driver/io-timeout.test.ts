/**
 * The e2e driver's connection deadlines on a loaded machine: a process that did not run for a
 * while must not call a connection unanswered when the answer came meanwhile (a customer counted
 * as dropped, an attacker taken for banned and stopped before its ban).
 */
import { createServer, connect, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ioTimeout } = require('./io-timeout') as { ioTimeout: (fn: () => void, ms: number) => () => void };

type Arm = (onTimeout: () => void, ms: number) => () => void;
const plainTimeout: Arm = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
};

/** Connects with a 20 ms deadline, then stalls the process for 200 ms from the check phase (as a busy machine would). */
function connectThroughStall(port: number, arm: Arm): Promise<string> {
  return new Promise((resolve) => {
    setImmediate(() => {
      const socket = connect({ host: '127.0.0.1', port });
      const finish = (result: string) => {
        cancel();
        socket.destroy();
        resolve(result);
      };
      const cancel = arm(() => finish('timeout'), 20);
      socket.once('connect', () => finish('connected'));
      socket.once('error', (e) => finish(`error ${e.message}`));
      // after the connect itself (queued by net.connect as a tick of its own): the kernel completes
      // the handshake while this process does not run
      process.nextTick(() => {
        const until = Date.now() + 200;
        while (Date.now() < until) {
          // stalled
        }
      });
    });
  });
}

describe('e2e driver connection deadlines', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('a plain timer calls a connection answered during a stall unanswered (the hazard)', async () => {
    expect(await connectThroughStall(port, plainTimeout)).toBe('timeout');
  });

  it('ioTimeout sees the answer that came during the stall', async () => {
    expect(await connectThroughStall(port, ioTimeout)).toBe('connected');
  });

  it('ioTimeout fires once its time has passed when nothing answers', async () => {
    let fired = false;
    const cancel = ioTimeout(() => {
      fired = true;
    }, 20);
    await new Promise((r) => setTimeout(r, 100));
    cancel();
    expect(fired).toBe(true);
  });
});
