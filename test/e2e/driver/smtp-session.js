'use strict';
// One SMTP client connection bound to a chosen source address, with a timestamped transcript.
// Written for misbehaving clients too: it can talk before the banner and send without reading.
const net = require('node:net');
const tls = require('node:tls');
const { ioTimeout } = require('./io-timeout');

const DEFAULT_REPLY_TIMEOUT_MS = 15000;

class SmtpSession {
  constructor({ localAddress, host, port, connectTimeoutMs = 5000, onEvent = null }) {
    this.onEvent = onEvent;
    this.localAddress = localAddress;
    this.host = host;
    this.port = port;
    this.connectTimeoutMs = connectTimeoutMs;
    this.startedMs = Date.now();
    this.transcript = [];
    this.codes = [];
    /** What the client knows the server saw (e.g. a 535), so tests need not trust log regexes. */
    this.events = [];
    /** Date.now() of each entry of `events`. */
    this.eventTimes = [];
    this.buffer = '';
    this.closed = false;
    this.waiter = null;
    this.socket = null;
  }

  note(direction, text) {
    this.transcript.push(`+${Date.now() - this.startedMs}ms ${direction} ${text}`);
  }

  event(name) {
    const at = Date.now();
    this.events.push(name);
    this.eventTimes.push(at);
    if (this.onEvent) this.onEvent(name, at);
    this.note('!', name);
  }

  /** Opens the TCP connection; resolves once connected (before any banner is read). */
  connect() {
    return new Promise((resolve, reject) => {
      const socket = net.connect({
        host: this.host,
        port: this.port,
        localAddress: this.localAddress,
      });
      this.socket = socket;
      socket.setEncoding('latin1');
      const cancel = ioTimeout(() => {
        socket.destroy();
        reject(new Error(`connect timeout after ${this.connectTimeoutMs}ms`));
      }, this.connectTimeoutMs);
      socket.once('connect', () => {
        cancel();
        this.note('*', `connected ${this.localAddress} -> ${this.host}:${this.port}`);
        resolve();
      });
      socket.once('error', (error) => {
        cancel();
        this.note('*', `error ${error.code || error.message}`);
        this.closed = true;
        this.wake();
        reject(error);
      });
      this.listen(socket);
    });
  }

  listen(socket) {
    socket.on('data', (chunk) => {
      this.buffer += chunk;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /**
   * STARTTLS, then the TLS handshake over the same connection (any server certificate; the
   * client's own when `cert`/`key` are given). Resolves with the reply to STARTTLS; the caller
   * says EHLO again. A failed handshake closes the session.
   */
  async startTls({ cert, key, servername = 'mx.example.test' } = {}) {
    const reply = await this.command('STARTTLS');
    if (reply.code !== 220) return reply;
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    await new Promise((resolve) => {
      const secure = tls.connect({ socket: plain, servername, rejectUnauthorized: false, cert, key }, () => {
        this.note('*', `TLS ${secure.getProtocol()} ${secure.getCipher().name}`);
        resolve();
      });
      secure.setEncoding('latin1');
      secure.once('error', (error) => {
        this.note('*', `TLS error ${error.code || error.message}`);
        this.closed = true;
        this.wake();
        resolve();
      });
      this.socket = secure;
      this.listen(secure);
    });
    return reply;
  }

  wake() {
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = null;
      waiter();
    }
  }

  /** Takes one complete (possibly multi-line) reply off the buffer, or null if none is complete. */
  takeReply() {
    const lines = [];
    let offset = 0;
    for (;;) {
      const end = this.buffer.indexOf('\n', offset);
      if (end < 0) return null;
      const line = this.buffer.slice(offset, end).replace(/\r$/, '');
      lines.push(line);
      offset = end + 1;
      const code = this.replyCode(line);
      if (code !== null) {
        this.buffer = this.buffer.slice(offset);
        return { code, lines };
      }
    }
  }

  /** The code of a reply's last line, or null while the reply goes on (`250-...`). */
  replyCode(line) {
    return /^\d{3}-/.test(line) ? null : Number(line.slice(0, 3)) || 0;
  }

  /** Reads the next reply; resolves { code: 0 } if the server closed or stayed silent. */
  async readReply(timeoutMs = DEFAULT_REPLY_TIMEOUT_MS) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = this.takeReply();
      if (reply) {
        for (const line of reply.lines) this.note('S:', line);
        this.codes.push(reply.code);
        return reply;
      }
      if (this.closed) {
        this.note('*', 'closed by server');
        return { code: 0, lines: [], closed: true };
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        this.note('*', `no reply within ${timeoutMs}ms`);
        return { code: 0, lines: [], timedOut: true };
      }
      await new Promise((resolve) => {
        const cancel = ioTimeout(resolve, left);
        this.waiter = () => {
          cancel();
          resolve();
        };
      });
    }
  }

  /** Sends one command line (CRLF added); never waits for the reply. */
  send(line) {
    if (this.closed || !this.socket) return false;
    this.note('C:', line);
    this.socket.write(`${line}\r\n`);
    return true;
  }

  /** Sends several lines in one write, as a client that ignores the reply sequence does. */
  sendBurst(lines) {
    if (this.closed || !this.socket) return false;
    for (const line of lines) this.note('C:', line);
    this.socket.write(lines.map((line) => `${line}\r\n`).join(''));
    return true;
  }

  async command(line, timeoutMs) {
    if (!this.send(line)) return { code: 0, lines: [], closed: true };
    return this.readReply(timeoutMs);
  }

  /** Closes without QUIT, like a bot that just drops the connection. */
  async drop() {
    if (!this.socket) return;
    this.note('*', 'dropped by client');
    await this.end();
  }

  /** Gives up on the connection at once (the server went silent: the client is banned). */
  abort() {
    if (!this.socket || this.socket.destroyed) return;
    this.note('*', 'aborted: the server went silent');
    this.aborted = true;
    this.socket.destroy();
    this.closed = true;
    this.wake();
  }

  /** QUIT, then close; resolves with the reply to QUIT ({ code: 0 } if there was none). */
  async quit() {
    const reply = this.closed ? { code: 0, lines: [], closed: true } : await this.command('QUIT', 5000);
    await this.end();
    return reply;
  }

  end() {
    return new Promise((resolve) => {
      if (!this.socket || this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, 2000).unref();
    });
  }
}

module.exports = { SmtpSession };
