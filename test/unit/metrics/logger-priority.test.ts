import { Writable } from 'node:stream';
import { createLogger, syslogPriority, withPriorityPrefix } from '../../../src/daemon/logger';

function capture(journal: boolean): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, log: createLogger('debug', out, { journal }) };
}

describe('journald priorities of log lines', () => {
  it('maps pino levels to syslog priorities (warn 4, error 3, fatal 2, info 6, debug 7)', () => {
    expect([10, 20, 30, 40, 50, 60].map(syslogPriority)).toEqual([7, 7, 6, 4, 3, 2]);
    expect(withPriorityPrefix('{"level":40,"msg":"x"}\n')).toBe('<4>{"level":40,"msg":"x"}\n');
  });

  it('prefixes each line with <priority> when stdout is the journal, and writes plain JSON otherwise', () => {
    const j = capture(true);
    j.log.warn({ jail: 'postfix' }, 'kernel set lost bans');
    j.log.error({ jail: 'postfix' }, 'firewall action failed; will retry');
    j.log.info('ready');
    expect(j.lines.map((l) => l.slice(0, 3))).toEqual(['<4>', '<3>', '<6>']);
    expect(JSON.parse(j.lines[0].slice(3))).toMatchObject({ level: 40, msg: 'kernel set lost bans', jail: 'postfix' });
    const plain = capture(false);
    plain.log.warn('x');
    expect(plain.lines[0].startsWith('{"level":40')).toBe(true);
  });
});
