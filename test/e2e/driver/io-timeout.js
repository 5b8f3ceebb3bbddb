'use strict';
// A deadline for a connection that a stalled process cannot miss. On a loaded machine the driver
// may not run for a while; when it runs again, Node's timers phase comes before the poll phase
// that would deliver the 'connect' (or the refusal) that arrived meanwhile, so a plain setTimeout
// calls an answered connection unanswered: a customer "dropped", an attacker "banned" too early.
// The callback runs one setImmediate later, after that poll phase: only I/O that really did not
// come in time loses.

/** Calls `onTimeout` once `ms` have passed and the I/O already arrived was delivered; returns a cancel function. */
function ioTimeout(onTimeout, ms) {
  let immediate = null;
  const timer = setTimeout(() => {
    immediate = setImmediate(onTimeout);
  }, ms);
  return () => {
    clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
  };
}

module.exports = { ioTimeout };
