'use strict';
// Second pass of the e2e test: can each address still open a TCP connection to each port?
// A ban that drops packets shows as "timeout", one that rejects as "refused".
const net = require('node:net');
const { serverAddressFor } = require('./topology');
const { ioTimeout } = require('./io-timeout');

function probeOne(address, port, timeoutMs) {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect({ host: serverAddressFor(address), port, localAddress: address });
    const finish = (result, detail) => {
      cancel();
      socket.destroy();
      resolve({ address, port, result, ms: Date.now() - started, ...(detail ? { detail } : {}) });
    };
    const cancel = ioTimeout(() => finish('timeout'), timeoutMs);
    socket.once('connect', () => finish('connected'));
    socket.once('error', (error) => {
      if (error.code === 'ECONNREFUSED') finish('refused');
      else finish('error', error.code || error.message);
    });
  });
}

async function probe(addresses, ports, { timeoutMs = 2000, concurrency = 50 } = {}) {
  const jobs = [];
  for (const address of addresses) for (const port of ports) jobs.push([address, port]);
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const [address, port] = jobs[next];
      next += 1;
      results.push(await probeOne(address, port, timeoutMs));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  results.sort((a, b) => a.address.localeCompare(b.address) || a.port - b.port);
  return results;
}

module.exports = { probe, probeOne };
