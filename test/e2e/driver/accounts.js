'use strict';
// Mailboxes of the test domain; the same list feeds Dovecot (Postfix SASL), Exim's authenticators
// and both MTAs' local delivery. Passwords are fixtures, not secrets.

const DOMAIN = 'example.test';

const ACCOUNTS = [
  { user: 'customer@example.test', mailbox: 'customer', password: 'Customer-Pass-2026' },
  { user: 'alice@example.test', mailbox: 'alice', password: 'Alice-Pass-2026' },
  { user: 'bob@example.test', mailbox: 'bob', password: 'Bob-Pass-2026' },
  { user: 'info@example.test', mailbox: 'info', password: 'Info-Pass-2026' },
  { user: 'admin@example.test', mailbox: 'admin', password: 'Admin-Pass-2026' },
];

function findAccount(user) {
  const account = ACCOUNTS.find((candidate) => candidate.user === user);
  if (!account) throw new Error(`no such fixture account: ${user}`);
  return account;
}

module.exports = { DOMAIN, ACCOUNTS, findAccount };
