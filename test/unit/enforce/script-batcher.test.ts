import type { CommandResult } from '../../../src/process/run-command';
import { ScriptBatcher } from '../../../src/enforce/script-batcher';
import { sharedRead } from '../../../src/enforce/shared-read';

/** A stand-in for `nft -f -`: applies all or nothing, and fails any script holding a "bad" line. */
function fakeTool() {
  const runs: string[][] = [];
  const run = async (lines: string[]): Promise<CommandResult> => {
    runs.push(lines);
    const bad = lines.find((l) => l.startsWith('bad'));
    return { argv: ['nft'], code: bad ? 1 : 0, signal: null, stdout: '', stderr: bad ? `Error: ${bad}` : '' };
  };
  return { runs, run };
}

describe('ScriptBatcher', () => {
  it('sends the scripts handed in during one turn as one script, in order', async () => {
    const tool = fakeTool();
    const b = new ScriptBatcher(tool.run);
    const results = await Promise.all([b.submit(['a1', 'a2']), b.submit(['b1']), b.submit(['c1'])]);
    expect(tool.runs).toEqual([['a1', 'a2', 'b1', 'c1']]);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
  });

  it('runs a lone script as it is', async () => {
    const tool = fakeTool();
    const r = await new ScriptBatcher(tool.run).submit(['a1']);
    expect(tool.runs).toEqual([['a1']]);
    expect(r.code).toBe(0);
  });

  it('gives each member its own result when the joint script fails', async () => {
    const tool = fakeTool();
    const b = new ScriptBatcher(tool.run);
    const results = await Promise.all([b.submit(['a1']), b.submit(['bad b']), b.submit(['c1'])]);
    expect(tool.runs).toEqual([['a1', 'bad b', 'c1'], ['a1'], ['bad b'], ['c1']]);
    expect(results.map((r) => [r.code, r.stderr])).toEqual([[0, ''], [1, 'Error: bad b'], [0, '']]);
  });

  it('starts a new batch for scripts handed in after a flush', async () => {
    const tool = fakeTool();
    const b = new ScriptBatcher(tool.run);
    await b.submit(['a1']);
    await Promise.all([b.submit(['b1']), b.submit(['c1'])]);
    expect(tool.runs).toEqual([['a1'], ['b1', 'c1']]);
  });
});

describe('sharedRead', () => {
  it('gives the reads asked for in one turn one run, started after that turn; a later ask runs again', async () => {
    let runs = 0;
    let state = 'before';
    const read = async () => `${++runs}:${state}`;
    const asks = [sharedRead('t', read), sharedRead('t', read)];
    state = 'after the asks'; // the run starts after this turn: it sees what the turn did
    expect(await Promise.all(asks)).toEqual(['1:after the asks', '1:after the asks']);
    expect(await sharedRead('t', read)).toBe('2:after the asks');
    expect(await sharedRead('other', read)).toBe('3:after the asks');
  });

  it('hands every asker the failure of a shared run', async () => {
    const fail = () => Promise.reject(new Error('nft failed'));
    await expect(Promise.all([sharedRead('f', fail), sharedRead('f', fail)])).rejects.toThrow('nft failed');
  });
});
