'use strict';
/**
 * Runs a mailjail daemon (dist/) in THIS network namespace with its firewall commands prefixed by
 * a wrapper (`ip netns exec NS`): the fleet's tests and bench keep several daemons and their Redis
 * on the host's loopback while each daemon's nft table lives in a namespace the test made.
 * Usage: node wrapped-daemon.js CONFIG_DIR WRAP...
 */
const { loadConfig } = require('../../dist/config/load-config');
const { createLogger } = require('../../dist/daemon/logger');
const { Daemon } = require('../../dist/daemon/daemon');

const [configDir, ...wrap] = process.argv.slice(2);
if (!configDir || wrap.length === 0) {
  process.stderr.write('usage: wrapped-daemon.js CONFIG_DIR WRAP...\n');
  process.exit(2);
}
const config = loadConfig(configDir);
const log = createLogger(config.main.logLevel);
let stopping = null;
Daemon.start({ configDir, log, config, wrap }).then(
  (daemon) => {
    const stop = () => {
      stopping ??= daemon.stop().then(() => process.exit(0));
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  },
  (e) => {
    log.fatal({ err: e.message, problems: e.problems }, 'start failed');
    process.exit(1);
  },
);
