import { describe, expect, it } from '@jest/globals';
import { GroupCommit } from './group-commit.js';

/** A table as a statement sees it: each statement's items, held open on request, refusing like Postgres. */
class FakeTable {
  readonly statements: string[][] = [];
  readonly written: string[] = [];
  private gates: Array<Promise<void>> = [];
  /** Answer; refuse a value with a NUL (SQLSTATE 22021); not answer at all; end the next statement as a deadlock victim. */
  mode: 'ok' | 'refuses-nul' | 'down' | 'deadlock-once' = 'ok';

  /** Holds the next statement open until the returned function is called. */
  hold(): () => void {
    let open!: () => void;
    this.gates.push(new Promise((r) => (open = r)));
    return open;
  }

  readonly write = async (items: string[]): Promise<void> => {
    this.statements.push(items);
    await this.gates.shift();
    if (this.mode === 'down') throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    if (this.mode === 'deadlock-once') {
      this.mode = 'ok';
      throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
    }
    if (this.mode === 'refuses-nul' && items.some((id) => id.includes('\u0000'))) {
      throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    }
    this.written.push(...items);
  };
}

const tick = () => new Promise((r) => setImmediate(r));
/** How each submit ended. */
const outcome = (p: Promise<void>) => p.then(() => 'written', (err: Error) => `failed: ${err.message}`);

describe('GroupCommit', () => {
  it('writes an idle item at once, and the items that come during a write together in the next statement, in order', async () => {
    const table = new FakeTable();
    const commit = new GroupCommit(table.write, { maxItems: 100 });
    const open = table.hold();
    const a = commit.submit('a');
    await tick();
    expect(table.statements).toEqual([['a']]);
    const rest = [commit.submit('b'), commit.submit('c')];
    await tick();
    expect(table.statements).toEqual([['a']]);
    open();
    await Promise.all([a, ...rest]);
    expect(table.statements).toEqual([['a'], ['b', 'c']]);
    expect(table.written).toEqual(['a', 'b', 'c']);
  });

  it('keeps a batch within its item and byte limits (one item always goes, however large)', async () => {
    const table = new FakeTable();
    const commit = new GroupCommit(table.write, { maxItems: 3, maxBytes: 10, bytesOf: (item: string) => item.length });
    const all = ['aaaa', 'bbbb', 'cc', 'dddddddddddddd', 'e', 'f', 'g', 'h'].map((item) => commit.submit(item));
    await Promise.all(all);
    expect(table.statements).toEqual([['aaaa', 'bbbb', 'cc'], ['dddddddddddddd'], ['e', 'f', 'g'], ['h']]);
  });

  it('writes a batch Postgres refuses one item of again one by one: only that item fails', async () => {
    const table = new FakeTable();
    table.mode = 'refuses-nul';
    const commit = new GroupCommit(table.write, { maxItems: 100 });
    const open = table.hold();
    const first = commit.submit('first');
    await tick();
    const batch = ['fine', 'bad\u0000', 'also-fine'].map((item) => outcome(commit.submit(item)));
    open();
    expect(await outcome(first)).toBe('written');
    expect(await Promise.all(batch)).toEqual(['written', 'failed: invalid byte sequence for encoding "UTF8": 0x00', 'written']);
    expect(table.written).toEqual(['first', 'fine', 'also-fine']);
  });

  it('fails the whole batch at once, without one-by-one tries, when the database does not answer', async () => {
    const table = new FakeTable();
    table.mode = 'down';
    const commit = new GroupCommit(table.write, { maxItems: 100 });
    const results = ['a', 'b'].map((item) => outcome(commit.submit(item)));
    expect(await Promise.all(results)).toEqual(['failed: connect ECONNREFUSED 127.0.0.1:5432', 'failed: connect ECONNREFUSED 127.0.0.1:5432']);
    expect(table.statements).toEqual([['a', 'b']]);
  });

  it('tries a batch once more when Postgres ends it as a deadlock victim', async () => {
    const table = new FakeTable();
    table.mode = 'deadlock-once';
    const commit = new GroupCommit(table.write, { maxItems: 100 });
    expect(await Promise.all(['a', 'b'].map((item) => outcome(commit.submit(item))))).toEqual(['written', 'written']);
    expect(table.statements).toEqual([['a', 'b'], ['a', 'b']]);
  });

  it('is drained once everything submitted so far has been written or has failed', async () => {
    const table = new FakeTable();
    const commit = new GroupCommit(table.write, { maxItems: 100 });
    const open = table.hold();
    void commit.submit('a');
    void commit.submit('b');
    let drained = false;
    void commit.drained().then(() => (drained = true));
    await tick();
    expect(drained).toBe(false);
    open();
    await commit.drained();
    expect(table.written).toEqual(['a', 'b']);
  });
});
