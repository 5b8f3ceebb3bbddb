/**
 * Issue 11 point 5: a failed login is one strike. A Postfix session's `lost connection after AUTH`
 * and `disconnect ... auth=0/1` lines, and Exim's `no MAIL ... C=EHLO,AUTH,QUIT`, summarise the
 * failure their session already logged: counted again, `maxRetry: 5` banned after four passwords.
 */
import { join } from 'node:path';
import { loadFilterFile } from '../../../src/config/load-filter';
import { MemoryBanHistory } from '../../../src/decide/ban-history';
import { JailEngine } from '../../../src/decide/jail-engine';
import { Matcher } from '../../../src/match/matcher';
import { shippedRules } from '../../helpers/jail-rules';

const filters = join(__dirname, '..', '..', '..', 'filters');

/** Feeds the lines to the shipped filter and a maxRetry: 5 jail; returns the summed weight and the bans. */
function run(filter: string, lines: string[]): { score: number; bans: number } {
  const matcher = new Matcher([loadFilterFile(join(filters, `${filter}.yaml`))]);
  const engine = new JailEngine(shippedRules({ filters: [filter], maxRetry: 5 }), { isProtected: () => false }, new MemoryBanHistory(), (u) => u);
  let score = 0;
  let bans = 0;
  lines.forEach((text, i) => {
    const f = matcher.match({ source: 'mail.log', line: i + 1, text }, Date.UTC(2026, 10, 23));
    if (!f) return;
    const out = engine.onFailure(f, f.time);
    score += out.strike?.weight ?? 0;
    bans += out.bans.length;
  });
  return { score, bans };
}

const postfixSession = (n: number) => {
  const pid = 3000 + n;
  const at = `Nov 23 10:0${n}:00 mx postfix/submission/smtpd[${pid}]:`;
  return [
    `${at} connect from unknown[192.0.2.50]`,
    `${at} warning: unknown[192.0.2.50]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=dave`,
    `${at} lost connection after AUTH from unknown[192.0.2.50]`,
    `${at} disconnect from unknown[192.0.2.50] ehlo=1 auth=0/1 commands=1/2`,
  ];
};

const eximSession = (n: number, pid: boolean) => {
  const at = `2026-11-23 10:0${n}:00 ${pid ? `[${4000 + n}] ` : ''}`;
  return [
    `${at}dovecot_login authenticator failed for (pc) [192.0.2.51]:4100${n} I=[192.0.2.1]:587: 535 Incorrect authentication data (set_id=dave)`,
    `${at}no MAIL in SMTP connection from (pc) [192.0.2.51]:4100${n} I=[192.0.2.1]:587 D=1s C=EHLO,AUTH,QUIT`,
  ];
};

describe('one failed login is one strike', () => {
  test('four failed Postfix logins, each with its session summary, weigh 4 and do not ban with maxRetry 5', () => {
    expect(run('postfix', [1, 2, 3, 4].flatMap(postfixSession))).toEqual({ score: 4, bans: 0 });
    expect(run('postfix', [1, 2, 3, 4, 5].flatMap(postfixSession))).toEqual({ score: 5, bans: 1 });
  });

  test('an Exim failed login and its no-MAIL summary weigh 1, with and without the [pid]', () => {
    for (const pid of [true, false]) {
      expect(run('exim', [1, 2, 3, 4].flatMap((n) => eximSession(n, pid)))).toEqual({ score: 4, bans: 0 });
      expect(run('exim', [1, 2, 3, 4, 5].flatMap((n) => eximSession(n, pid)))).toEqual({ score: 5, bans: 1 });
    }
  });
});
