import { buildProgram, commandsFor } from '../../../src/cli/main';
import { COMMANDS } from '../../../src/cli/commands';

const ALL = [...COMMANDS.keys()];

describe('commandsFor', () => {
  it('loads only the command the command line names', () => {
    expect(commandsFor(['daemon', '--config', '/etc/mailjail'])).toEqual(['daemon']);
    expect(commandsFor(['--json', 'status'])).toEqual(['status']);
  });

  it('does not take the value of --config or --socket for the command name', () => {
    expect(commandsFor(['-c', 'status', 'daemon'])).toEqual(['daemon']);
    expect(commandsFor(['--socket', 'list', 'ban', '192.0.2.1'])).toEqual(['ban']);
    expect(commandsFor(['--config=status', 'why', '192.0.2.1'])).toEqual(['why']);
  });

  it('loads no command for --version alone', () => {
    expect(commandsFor(['--version'])).toEqual([]);
    expect(commandsFor(['-V'])).toEqual([]);
  });

  it('loads every command for help, for no command and for a word that is no command', () => {
    expect(commandsFor([])).toEqual(ALL);
    expect(commandsFor(['--help'])).toEqual(ALL);
    expect(commandsFor(['--version', '--help'])).toEqual(ALL);
    expect(commandsFor(['help', 'daemon'])).toEqual(ALL);
    expect(commandsFor(['stauts'])).toEqual(ALL);
  });
});

describe('buildProgram', () => {
  it('lists every command when given no command line', () => {
    expect(buildProgram().commands.map((c) => c.name())).toEqual(ALL);
  });

  it('registers just the named command, with its own options', () => {
    const program = buildProgram(['replay', '--jail', 'postfix', 'mail.log']);
    expect(program.commands.map((c) => c.name())).toEqual(['replay']);
    expect(program.commands[0].options.map((o) => o.long)).toContain('--jail');
  });
});
