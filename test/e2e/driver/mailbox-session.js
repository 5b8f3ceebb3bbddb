'use strict';
// An IMAP or POP3 client connection: SmtpSession's socket, transcript and timing, with the
// replies of the mailbox protocols mapped onto SMTP-like codes so behaviours and summaries read
// alike: 220 greeting, 200 OK / +OK, 334 continuation (`+`), 500 NO / -ERR, 501 BAD, 221 BYE.
const { SmtpSession } = require('./smtp-session');

class MailboxSession extends SmtpSession {
  constructor(options) {
    super(options);
    this.protocol = options.protocol; // 'imap' | 'pop3'
    this.greeted = false;
    this.tag = 0;
  }

  /** SmtpSession's reply reader, with the mailbox protocols' end-of-reply lines. */
  replyCode(line) {
    const code = this.protocol === 'pop3' ? pop3Code(line) : this.imapCode(line);
    if (code !== null) this.greeted = true;
    return code;
  }

  /** IMAP: the greeting is untagged; after it a reply ends at a tagged line or a continuation. */
  imapCode(line) {
    if (line.startsWith('+')) return 334;
    const tagged = /^([A-Za-z0-9]+) (OK|NO|BAD)\b/.exec(line);
    if (tagged && tagged[1] !== '*') return { OK: 200, NO: 500, BAD: 501 }[tagged[2]];
    if (!this.greeted && /^\* (OK|PREAUTH)\b/.test(line)) return 220;
    if (/^\* BYE\b/.test(line)) return 221;
    return null;
  }

  /** Sends an IMAP command with a fresh tag. */
  imap(command, timeoutMs) {
    this.tag += 1;
    return this.command(`a${this.tag} ${command}`, timeoutMs);
  }

  /** LOGOUT (IMAP) or QUIT (POP3), then close. */
  async quit() {
    if (this.protocol === 'pop3') return super.quit();
    const reply = this.closed ? { code: 0, lines: [], closed: true } : await this.imap('LOGOUT', 5000);
    if (reply.code === 221 && !this.closed) await this.readReply(2000); // the tagged OK after BYE
    await this.end();
    return reply;
  }
}

function pop3Code(line) {
  if (line.startsWith('+OK')) return 200;
  if (line.startsWith('-ERR')) return 500;
  if (line.startsWith('+')) return 334;
  return null;
}

module.exports = { MailboxSession };
