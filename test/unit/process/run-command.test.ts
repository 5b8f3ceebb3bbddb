import { MailjailError } from '../../../src/core/errors';
import { assertOk, runCommand, spawnLines, type StreamExit } from '../../../src/process/run-command';

const node = process.execPath;

describe('runCommand', () => {
  test('returns exit code, stdout and stderr of a failing program instead of throwing', async () => {
    const r = await runCommand([node, '-e', 'process.stdout.write("out"); process.stderr.write("bad thing\\nmore"); process.exit(3)']);
    expect(r).toMatchObject({ code: 3, signal: null, stdout: 'out', stderr: 'bad thing\nmore' });
    expect(r.argv[0]).toBe(node);
  });

  test('writes input to stdin and closes it', async () => {
    const r = await runCommand([node, '-e', 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(s.toUpperCase()))'], {
      input: 'add element\n',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ADD ELEMENT\n\n');
  });

  test('passes arguments literally, with no shell in between', async () => {
    const r = await runCommand([node, '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', '$(echo hi); rm -rf /', '*']);
    expect(JSON.parse(r.stdout)).toEqual(['$(echo hi); rm -rf /', '*']);
  });

  test('a missing program is a result with code null and a message saying so', async () => {
    const r = await runCommand(['mailjail-no-such-program', '--version'], { input: 'x' });
    expect(r.code).toBeNull();
    expect(r.stderr).toMatch(/mailjail-no-such-program: program not found/);
  });

  test('kills a program that outlives its time limit and reports the signal', async () => {
    const started = Date.now();
    const r = await runCommand([node, '-e', 'setTimeout(() => {}, 10000)'], { timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r).toMatchObject({ code: null, signal: 'SIGKILL' });
  });

  test('survives a program that exits without reading a large input', async () => {
    const r = await runCommand([node, '-e', 'process.exit(2)'], { input: 'x'.repeat(4 * 1024 * 1024) });
    expect(r.code).toBe(2);
  });
});

describe('assertOk', () => {
  test('passes a zero exit through', async () => {
    const r = await runCommand([node, '-e', '']);
    expect(assertOk(r, 'nothing')).toBe(r);
  });

  test('throws a FIREWALL error naming the step, the exit status and the first stderr line', async () => {
    const r = await runCommand([node, '-e', 'process.stderr.write("\\nError: No such file or directory\\nlist set x\\n"); process.exit(1)']);
    let caught: unknown;
    try {
      assertOk(r, 'nft list set');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MailjailError);
    expect(caught).toMatchObject({ code: 'FIREWALL', message: 'nft list set failed (exit 1): Error: No such file or directory' });
  });

  test('says "not started" for a missing program', async () => {
    const r = await runCommand(['mailjail-no-such-program']);
    expect(() => assertOk(r, 'probe')).toThrow(/probe failed \(not started\): mailjail-no-such-program: program not found/);
  });
});

describe('spawnLines', () => {
  function collect(argv: string[]): Promise<{ lines: string[]; exit: StreamExit; exits: number }> {
    return new Promise((resolve) => {
      const lines: string[] = [];
      let exits = 0;
      spawnLines(argv, (l) => lines.push(l), (exit) => {
        exits++;
        setTimeout(() => resolve({ lines, exit, exits }), 50);
      });
    });
  }

  test('hands over stdout line by line, including a last line without newline', async () => {
    const { lines, exit, exits } = await collect([node, '-e', 'process.stdout.write("a\\nb\\n"); setTimeout(() => process.stdout.write("c\\nlast"), 20)']);
    expect(lines).toEqual(['a', 'b', 'c', 'last']);
    expect(exit.code).toBe(0);
    expect(exits).toBe(1);
  });

  test('reports a missing program through onExit, once', async () => {
    const { lines, exit, exits } = await collect(['mailjail-no-such-program']);
    expect(lines).toEqual([]);
    expect(exit.code).toBeNull();
    expect(exit.stderr).toMatch(/program not found/);
    expect(exits).toBe(1);
  });

  test('kill() stops a long-running reader', async () => {
    const exit = await new Promise<StreamExit>((resolve) => {
      const handle = spawnLines([node, '-e', 'console.log("ready"); setInterval(() => {}, 1000)'], (line) => {
        if (line === 'ready') handle.kill();
      }, resolve);
    });
    expect(exit.signal).toBe('SIGTERM');
  });
});
