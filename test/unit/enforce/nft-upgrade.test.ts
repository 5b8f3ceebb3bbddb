import type { NftTableSummary } from '../../../src/enforce/nft-json';
import { setupScript } from '../../../src/enforce/nft-script';
import { legacyCleanup, maskedMoveScript, misfitSets, upgradeScript } from '../../../src/enforce/nft-upgrade';

const names = { table: 'mailjail', jail: 'postfix' };
const set = (name: string, type: string, ...flags: string[]) => ({ name, type, flags });

/** The table as the layout before this one left it: one interval set per family, rules in `input`. */
const legacy: NftTableSummary = {
  sets: [set('postfix_v4', 'ipv4_addr', 'interval', 'timeout'), set('postfix_v6', 'ipv6_addr', 'interval', 'timeout')],
  chains: ['input'],
  rules: [
    { handle: 4, chain: 'input', comment: 'mailjail postfix_v4 25,465,587' },
    { handle: 5, chain: 'input', comment: 'mailjail postfix_v6 25,465,587' },
  ],
};

describe('finding sets that differ from the layout', () => {
  test('the interval host sets of the older layout are misfits', () => {
    expect(misfitSets(names, legacy)).toEqual(['postfix_v4', 'postfix_v6']);
  });

  test('sets as the layout wants them, or absent, are not', () => {
    const current: NftTableSummary = {
      sets: [set('postfix_v4', 'ipv4_addr', 'timeout'), set('postfix_v6_net', 'ipv6_addr', 'interval', 'timeout'), set('other_v4', 'ipv4_addr', 'interval')],
      chains: ['postfix_input'],
      rules: [],
    };
    expect(misfitSets(names, current)).toEqual([]);
  });

  test('a prefix set without interval, a set without timeout or of the other family is a misfit', () => {
    const odd: NftTableSummary = {
      sets: [set('postfix_v4_net', 'ipv4_addr', 'timeout'), set('postfix_v4', 'ipv4_addr'), set('postfix_v6', 'ipv4_addr', 'timeout')],
      chains: [],
      rules: [],
    };
    expect(misfitSets(names, odd).sort()).toEqual(['postfix_v4', 'postfix_v4_net', 'postfix_v6']);
  });
});

describe('removing the older layout\'s rules', () => {
  test('deletes the jail\'s rules from the shared chain, and the chain once nothing else is in it', () => {
    expect(legacyCleanup(names, legacy)).toEqual({
      lines: ['delete rule inet mailjail input handle 4', 'delete rule inet mailjail input handle 5', 'delete chain inet mailjail input'],
      legacyChainGoes: true,
    });
  });

  test('leaves the shared chain while another jail\'s rule is in it, and never touches the jail\'s own chain', () => {
    const shared: NftTableSummary = {
      ...legacy,
      chains: ['input', 'postfix_input'],
      rules: [...legacy.rules, { handle: 6, chain: 'input', comment: 'mailjail exim_v4 25' }, { handle: 9, chain: 'postfix_input', comment: 'mailjail postfix_v4 25' }],
    };
    expect(legacyCleanup(names, shared)).toEqual({
      lines: ['delete rule inet mailjail input handle 4', 'delete rule inet mailjail input handle 5'],
      legacyChainGoes: false,
    });
  });
});

describe('planning the upgrade transaction', () => {
  test('drops the old rules and sets, creates the layout, and re-adds every element with its remaining time', () => {
    const moved = new Map([
      [
        'postfix_v4',
        [
          { text: '192.0.2.1', timeoutS: 604800, expiresS: 3600 },
          { text: '198.51.100.0/24', timeoutS: 600, expiresS: 0 },
          { text: '203.0.113.0/25' },
        ],
      ],
      ['postfix_v6', [{ text: '2001:db8::1', timeoutS: 60, expiresS: 59 }, { text: '2001:db8:1::/64', timeoutS: 60 }]],
    ]);
    const plan = upgradeScript(names, [25], { summary: legacy, moved, presentNets: [] });
    expect(plan.lines).toEqual([
      'delete rule inet mailjail input handle 4',
      'delete rule inet mailjail input handle 5',
      'delete chain inet mailjail input',
      'delete set inet mailjail postfix_v4',
      'delete set inet mailjail postfix_v6',
      ...setupScript(names, [25]),
      'add element inet mailjail postfix_v4 { 192.0.2.1 timeout 3600s }',
      'add element inet mailjail postfix_v6 { 2001:db8::1 timeout 59s }',
      'add element inet mailjail postfix_v4_24 { 198.51.100.0 timeout 1s }',
      'add element inet mailjail postfix_v6_64 { 2001:db8:1:: timeout 60s }',
      'add element inet mailjail postfix_v4_net { 203.0.113.0/25 }',
    ]);
    expect(plan).toMatchObject({ moved: 5, covered: [] });
  });

  test('flushes the jail\'s own chain first, so a set its rules use can be deleted', () => {
    const summary: NftTableSummary = { sets: [set('postfix_v4_net', 'ipv4_addr', 'timeout')], chains: ['postfix_input'], rules: [] };
    const plan = upgradeScript(names, 'all', { summary, moved: new Map([['postfix_v4_net', []]]), presentNets: [] });
    expect(plan.lines.slice(0, 2)).toEqual(['flush chain inet mailjail postfix_input', 'delete set inet mailjail postfix_v4_net']);
  });

  test('a moved prefix inside one the kept prefix set holds is left out; a wider one replaces the narrower', () => {
    const summary: NftTableSummary = { sets: [set('postfix_v4', 'ipv4_addr', 'interval', 'timeout')], chains: [], rules: [] };
    const moved = new Map([['postfix_v4', [{ text: '198.51.100.0/25', expiresS: 10 }, { text: '203.0.113.0/25', expiresS: 20 }]]]);
    const plan = upgradeScript(names, [25], { summary, moved, presentNets: ['198.51.100.0/23', '203.0.113.64/26'] });
    expect(plan.lines.slice(-2)).toEqual([
      'delete element inet mailjail postfix_v4_net { 203.0.113.64/26 }',
      'add element inet mailjail postfix_v4_net { 203.0.113.0/25 timeout 20s }',
    ]);
    expect(plan).toMatchObject({ moved: 1, covered: ['198.51.100.0/25'] });
  });
});

describe('moving /24s and /64s out of the interval sets', () => {
  test('deletes them from the interval sets and adds their network addresses to the masked sets with the time left, in one script', () => {
    const present = [
      { text: '198.51.100.0/24', timeoutS: 600, expiresS: 300 },
      { text: '203.0.113.0/25', timeoutS: 600, expiresS: 300 },
      { text: '2001:db8:1:2::/64', timeoutS: 7200, expiresS: 7000 },
      { text: '2001:db8::/48', timeoutS: 60 },
    ];
    expect(maskedMoveScript(names, present)).toEqual({
      lines: [
        'delete element inet mailjail postfix_v4_net { 198.51.100.0/24 }',
        'delete element inet mailjail postfix_v6_net { 2001:db8:1:2::/64 }',
        'add element inet mailjail postfix_v4_24 { 198.51.100.0 timeout 300s }',
        'add element inet mailjail postfix_v6_64 { 2001:db8:1:2:: timeout 7000s }',
      ],
      moved: 2,
    });
  });

  test('nothing to move, nothing to send', () => {
    expect(maskedMoveScript(names, [{ text: '203.0.113.0/25', timeoutS: 60 }])).toEqual({ lines: [], moved: 0 });
  });
});
