import { compilePatterns } from '../../../src/sources/path-patterns';

const dir = { isDirectory: () => true };
const file = { isDirectory: () => false };

describe('compilePatterns', () => {
  it('watches the directory of a plain path and matches only that path', () => {
    const p = compilePatterns(['/var/log/mail.log']);
    expect(p.roots).toEqual(['/var/log']);
    expect(p.watchDepth).toBe(0);
    expect(p.plainPaths).toEqual(['/var/log/mail.log']);
    expect(p.isMatch('/var/log/mail.log')).toBe(true);
    expect(p.isMatch('/var/log/mail.log.1')).toBe(false);
    expect(p.isIgnored('/var/log')).toBe(false);
    expect(p.isIgnored('/var/log/syslog')).toBe(true);
  });

  it('watches the base of a glob and matches IceWarp daily and size-rotated names', () => {
    const p = compilePatterns(['/var/log/icewarp/smtp/s*.log']);
    expect(p.roots).toEqual(['/var/log/icewarp/smtp']);
    expect(p.plainPaths).toEqual([]);
    expect(p.isMatch('/var/log/icewarp/smtp/s20150213.log')).toBe(true);
    expect(p.isMatch('/var/log/icewarp/smtp/s20150213-01.log')).toBe(true);
    expect(p.isMatch('/var/log/icewarp/smtp/notes.txt')).toBe(false);
    expect(p.isIgnored('/var/log/icewarp/smtp/old', dir)).toBe(true);
  });

  it('lets directories a glob runs through be watched, and no deeper', () => {
    const p = compilePatterns(['/var/log/icewarp/*/s*.log']);
    expect(p.roots).toEqual(['/var/log/icewarp']);
    expect(p.watchDepth).toBe(1);
    expect(p.isIgnored('/var/log/icewarp/pop3')).toBe(false);
    expect(p.isIgnored('/var/log/icewarp/pop3', dir)).toBe(false);
    expect(p.isIgnored('/var/log/icewarp/pop3', file)).toBe(true);
    expect(p.isIgnored('/var/log/icewarp/pop3/x/y', dir)).toBe(true);
    expect(p.isMatch('/var/log/icewarp/pop3/s20150213.log')).toBe(true);
  });

  it('watches without a depth limit for **', () => {
    expect(compilePatterns(['/srv/logs/**/mail.log']).watchDepth).toBeUndefined();
  });

  it('reports every relative pattern as a configuration problem', () => {
    expect(() => compilePatterns(['mail.log', '/ok.log', './x/*.log'])).toThrow(
      expect.objectContaining({
        code: 'CONFIG',
        problems: ['mail.log: a file source pattern must be an absolute path', './x/*.log: a file source pattern must be an absolute path'],
      }),
    );
  });
});
