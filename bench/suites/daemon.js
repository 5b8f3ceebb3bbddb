'use strict';
/**
 * The daemon's figures (issue 3 and 7): line -> kernel latency, flood, restore, memory, ready time,
 * beside fail2ban-server's when it is installed. All firewall work happens in namespaces made here.
 */
const { runDaemonBenchmarks } = require('../daemon');

module.exports = {
  name: 'daemon',
  async run(ctx) {
    const runs = ctx.quick ? 1 : 3;
    const { sections } = await runDaemonBenchmarks({ runs, log: (m) => process.stderr.write(`bench: ${m}\n`) });
    return sections.map((s) => `### ${s.title}\n\n${s.markdown}`).join('\n\n');
  },
};
