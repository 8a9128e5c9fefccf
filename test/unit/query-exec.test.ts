/**
 * exec options (docs/jio-compatibility.md "Sort, limit, select") and key_schema ("key_schema"),
 * through execQuery and the lower-level pieces the storage layer uses (compileQuery, compareSortOn,
 * applyLimit, selectKeys).
 */
import { expect } from '@open-wc/testing';
import {
  applyLimit, compareSortOn, compileQuery, execQuery, selectKeys,
  type ExecOptions, type KeySchema, type QueryTree, type SortOn,
} from '../../gadgets/query.js';

type Doc = Record<string, unknown>;

function thrown(fn: () => unknown): Error & { status_code?: number } {
  try {
    fn();
  } catch (error) {
    return error as Error & { status_code?: number };
  }
  throw new Error('expected an exception');
}

/** A deep-frozen copy, so any mutation throws in strict mode. */
function frozen<T>(value: T): T {
  const copy = JSON.parse(JSON.stringify(value)) as T;
  const freeze = (v: unknown): void => {
    if (typeof v === 'object' && v !== null) {
      Object.freeze(v);
      Object.values(v).forEach(freeze);
    }
  };
  freeze(copy);
  return copy;
}

const sorted = (docs: Doc[], sort_on: SortOn, key_schema?: KeySchema): Doc[] => execQuery('', docs, { sort_on, key_schema });

describe('execQuery', () => {
  const docs: Doc[] = [
    { id: 1, type: 'person', name: 'Bob', age: 30 },
    { id: 2, type: 'robot', name: 'R2', age: 40 },
    { id: 3, type: 'person', name: 'Alice', age: 25 },
    { id: 4, type: 'person', name: 'Carol', age: 35 },
    { id: 5, type: 'person', name: 'Dave', age: 20 },
  ];

  it('filters, then sorts, then limits, then selects', () => {
    const out = execQuery('type:person', docs, { sort_on: [['age', 'descending']], limit: [1, 2], select_list: ['name'] });
    // persons by age desc: Carol 35, Bob 30, Alice 25, Dave 20 → skip 1, take 2 → Bob, Alice
    expect(out).to.deep.equal([{ name: 'Bob' }, { name: 'Alice' }]);
  });

  it('sorts on keys that select_list drops (select comes last)', () => {
    expect(execQuery('', docs, { sort_on: [['age', 'ascending']], select_list: ['id'] }))
      .to.deep.equal([{ id: 5 }, { id: 3 }, { id: 1 }, { id: 4 }, { id: 2 }]);
  });

  it('accepts a string, a tree, or ""/null/undefined for match-all', () => {
    const tree: QueryTree = { type: 'simple', key: 'type', value: 'robot' };
    expect(execQuery(tree, docs).map((d) => d.id)).to.deep.equal([2]);
    expect(execQuery('type:robot', docs).map((d) => d.id)).to.deep.equal([2]);
    for (const all of ['', null, undefined]) expect(execQuery(all, docs)).to.have.length(5);
  });

  it('returns a new array and never mutates docs, their objects, the options or select_list', () => {
    const input = frozen(docs);
    const options = frozen<ExecOptions>({ sort_on: [['name', 'ascending']], limit: [0, 3], select_list: ['name', 'age'] });
    const out = execQuery('type:person', input, options);
    expect(out).to.deep.equal([{ name: 'Alice', age: 25 }, { name: 'Bob', age: 30 }, { name: 'Carol', age: 35 }]);
    expect(input).to.deep.equal(docs);
    expect(options.select_list).to.deep.equal(['name', 'age']);
    const all = execQuery('', input);
    expect(all).to.not.equal(input);
    expect(all).to.deep.equal(input);
    expect(all[0]).to.equal(input[0]); // without select_list, the documents themselves
  });

  it('treats null options as absent; sort_on: [] and limit: [] are no-ops', () => {
    const out = execQuery('', docs, { sort_on: [], limit: [], select_list: null, key_schema: null });
    expect(out.map((d) => d.id)).to.deep.equal([1, 2, 3, 4, 5]);
  });

  it('rejects bad arguments with 400 TypeErrors carrying jIO\'s messages', () => {
    const notArray = thrown(() => execQuery('', 'docs' as unknown as Doc[]));
    expect(notArray.status_code).to.equal(400);
    expect(notArray.name).to.equal('TypeError');
    expect(notArray.message).to.equal("Query().exec(): Argument 1 is not of type 'array'");
    const badOptions = thrown(() => execQuery('', docs, 1 as unknown as ExecOptions));
    expect(badOptions.message).to.equal("Query().exec(): Optional argument 2 is not of type 'object'");
    expect(thrown(() => execQuery('', [null] as unknown as Doc[])).status_code).to.equal(400);
    expect(thrown(() => execQuery('a:', docs)).message).to.match(/^Parse error on line 1:/);
  });

  describe('sort_on', () => {
    it('compares numbers numerically and strings lexicographically', () => {
      expect(sorted([{ n: 10 }, { n: 9 }, { n: 100 }], [['n', 'ascending']])).to.deep.equal([{ n: 9 }, { n: 10 }, { n: 100 }]);
      expect(sorted([{ n: '10' }, { n: '9' }, { n: '100' }], [['n', 'ascending']])).to.deep.equal([{ n: '10' }, { n: '100' }, { n: '9' }]);
      expect(sorted([{ s: 'b' }, { s: 'B' }, { s: 'a' }], [['s', 'ascending']])).to.deep.equal([{ s: 'B' }, { s: 'a' }, { s: 'b' }]);
    });

    it('puts documents missing the key first ascending and last descending', () => {
      const input = [{ n: 2 }, { x: 1 }, { n: 1 }];
      expect(sorted(input, [['n', 'ascending']])).to.deep.equal([{ x: 1 }, { n: 1 }, { n: 2 }]);
      expect(sorted(input, [['n', 'descending']])).to.deep.equal([{ n: 2 }, { n: 1 }, { x: 1 }]);
    });

    it('counts null as present', () => {
      const input = [{ n: 1 }, {}, { n: null }];
      expect(sorted(input, [['n', 'ascending']])).to.deep.equal([{}, { n: null }, { n: 1 }]);
      expect(sorted(input, [['n', 'descending']])).to.deep.equal([{ n: 1 }, { n: null }, {}]);
    });

    it('lets ties fall through to the next key, then keeps the input order (stable)', () => {
      const input = [
        { k: 'b', n: 2, i: 0 }, { k: 'a', n: 2, i: 1 }, { k: 'b', n: 1, i: 2 }, { k: 'a', n: 2, i: 3 }, { k: 'a', n: 1, i: 4 },
      ];
      const out = sorted(input, [['k', 'ascending'], ['n', 'descending']]);
      expect(out.map((d) => d.i)).to.deep.equal([1, 3, 4, 0, 2]);
    });

    it('compares arrays element-wise, a shorter array first ascending', () => {
      const input = [{ v: [1, 3] }, { v: [1] }, { v: [1, 2] }, { v: 0 }];
      expect(sorted(input, [['v', 'ascending']])).to.deep.equal([{ v: 0 }, { v: [1] }, { v: [1, 2] }, { v: [1, 3] }]);
    });

    it('compares {content} objects by content', () => {
      const input = [{ t: { content: 'b', lang: 'en' } }, { t: { content: 'a' } }];
      expect(sorted(input, [['t', 'ascending']])).to.deep.equal([{ t: { content: 'a' } }, { t: { content: 'b', lang: 'en' } }]);
    });

    it('rejects an invalid direction with a TypeError-like 400 (jIO\'s message)', () => {
      const error = thrown(() => execQuery('', docs, { sort_on: [['name', 'up' as 'ascending']] }));
      expect(error.status_code).to.equal(400);
      expect(error.name).to.equal('TypeError');
      expect(error.message).to.equal("Query.sortFunction(): Argument 2 must be 'ascending' or 'descending'");
    });

    it('rejects a sort_on that is not an array of [key, direction]', () => {
      expect(thrown(() => execQuery('', docs, { sort_on: 'name' as unknown as SortOn })).message)
        .to.equal("jioquery.sortOn(): Argument 1 is not of type 'array'");
      expect(thrown(() => execQuery('', docs, { sort_on: [[1, 'ascending']] as unknown as SortOn })).status_code).to.equal(400);
      expect(thrown(() => execQuery('', docs, { sort_on: ['name'] as unknown as SortOn })).status_code).to.equal(400);
    });
  });

  describe('limit', () => {
    const ten = Array.from({ length: 10 }, (_, i) => ({ i }));
    it('[skip] drops the first items', () => {
      expect(execQuery('', ten, { limit: [7] }).map((d) => d.i)).to.deep.equal([7, 8, 9]);
    });
    it('[skip, count] keeps count items after skip', () => {
      expect(execQuery('', ten, { limit: [2, 3] }).map((d) => d.i)).to.deep.equal([2, 3, 4]);
      expect(execQuery('', ten, { limit: [8, 5] }).map((d) => d.i)).to.deep.equal([8, 9]);
      expect(execQuery('', ten, { limit: [20, 5] })).to.deep.equal([]);
    });
    it('[n, 0] does not truncate (faithful to jIO)', () => {
      expect(execQuery('', ten, { limit: [0, 0] })).to.have.length(10);
      expect(execQuery('', ten, { limit: [6, 0] }).map((d) => d.i)).to.deep.equal([6, 7, 8, 9]);
    });
    it('rejects anything but up to two non-negative integers', () => {
      for (const limit of [[-1], [1, -1], [1.5], ['1'], [1, 2, 3], 5, { 0: 1 }]) {
        expect(thrown(() => execQuery('', ten, { limit: limit as unknown as [number] })).status_code, JSON.stringify(limit)).to.equal(400);
      }
    });
    it('applyLimit returns a new array and leaves its input alone', () => {
      const input = Object.freeze([1, 2, 3, 4]);
      const out = applyLimit(input, [1, 2]);
      expect(out).to.deep.equal([2, 3]);
      expect(applyLimit(input, [0])).to.not.equal(input);
      expect(thrown(() => applyLimit(input, 'x' as unknown as [number])).message).to.equal("jioquery.limit(): Argument 1 is not of type 'array'");
    });
  });

  describe('select_list', () => {
    it('keeps only the listed keys a document has, in list order', () => {
      const out = execQuery('', [{ a: 1, b: 2, c: 3 }, { b: 5 }], { select_list: ['c', 'a'] });
      expect(out).to.deep.equal([{ c: 3, a: 1 }, {}]);
      expect(Object.keys(out[0])).to.deep.equal(['c', 'a']);
    });
    it('gives {} for a document having none of them (deliberately not jIO\'s whole-document quirk)', () => {
      expect(execQuery('', [{ x: 1 }], { select_list: ['a'] })).to.deep.equal([{}]);
      expect(execQuery('', [{ x: 1 }], { select_list: [] })).to.deep.equal([{}]);
    });
    it('keeps undefined and null values that are present, ignores inherited keys', () => {
      const out = selectKeys({ a: null, b: undefined }, ['a', 'b', 'toString']);
      expect(Object.keys(out)).to.deep.equal(['a', 'b']);
      expect(out.a).to.equal(null);
    });
    it('copes with a JSON "__proto__" key without touching prototypes', () => {
      const doc = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object;
      const out = selectKeys(doc, ['__proto__', 'a']);
      expect(Object.getPrototypeOf(out)).to.equal(Object.prototype);
      expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).to.equal(true);
      expect((out as { polluted?: boolean }).polluted).to.equal(undefined);
      expect(({} as { polluted?: boolean }).polluted).to.equal(undefined);
    });
    it('rejects a select_list that is not an array of strings', () => {
      expect(thrown(() => selectKeys({}, 'a' as unknown as string[])).message).to.equal('jioquery.select(): Argument 1 is not of type Array');
      expect(thrown(() => execQuery('', [{}], { select_list: [1] as unknown as string[] })).status_code).to.equal(400);
    });
  });
});

describe('key_schema', () => {
  function schemaError(key_schema: unknown, query: string | QueryTree = 'a:b'): Error & { status_code?: number } {
    const error = thrown(() => compileQuery(query, key_schema as KeySchema));
    expect(error.status_code).to.equal(400);
    expect(error.name).to.equal('TypeError');
    return error;
  }

  it('must be an object', () => {
    expect(schemaError('').message).to.equal("Query().create(): key_schema is not of type 'object'");
    expect(schemaError(5).message).to.equal("Query().create(): key_schema is not of type 'object'");
  });

  it('needs key_set', () => {
    expect(schemaError({}).message).to.equal("Query().create(): key_schema has no 'key_set' property");
  });

  it('refuses other top-level properties', () => {
    expect(schemaError({ key_set: {}, foobar: {} }).message).to.equal("Query().create(): key_schema has unknown property 'foobar'");
  });

  it('checks key objects: read_from is required', () => {
    expect(schemaError({ key_set: { a: { cast_to: 'x' } } }).message).to.equal('Custom key is missing the read_from property');
    expect(schemaError({ key_set: {} }, { type: 'simple', key: {} as never, value: 'a' }).message)
      .to.equal('Custom key is missing the read_from property');
  });

  it('checks key objects: no unknown properties', () => {
    expect(schemaError({ key_set: { a: { read_from: 'a', foobar: '' } } }).message).to.equal("Custom key has unknown property 'foobar'");
    expect(schemaError(undefined, { type: 'simple', key: { read_from: 'identifier', foobar: '' } as never, value: 'a' }).message)
      .to.equal("Custom key has unknown property 'foobar'");
  });

  it('reports cast_to / equal_match names missing from their lookup tables', () => {
    expect(schemaError({ key_set: { a: { read_from: 'a', cast_to: 'nope' } } }).message)
      .to.equal("Custom key cast_to 'nope' is not in key_schema.cast_lookup");
    expect(schemaError({ key_set: { a: { read_from: 'a', equal_match: 'nope' } }, match_lookup: {} }).message)
      .to.equal("Custom key equal_match 'nope' is not in key_schema.match_lookup");
    // Names are own entries only: no reaching Object.prototype through the lookup.
    expect(schemaError({ key_set: { a: { read_from: 'a', cast_to: 'constructor' } }, cast_lookup: {} }).status_code).to.equal(400);
  });

  it('is checked before any document is seen, in execQuery too', () => {
    expect(thrown(() => execQuery('', [], { key_schema: { key_set: {}, bad: 1 } as unknown as KeySchema })).name).to.equal('TypeError');
  });

  const schema: KeySchema = {
    key_set: {
      title_alias: { read_from: 'title' },
      num: { read_from: 'n', cast_to: 'toNumber' },
      day: { read_from: 'date', cast_to: (v) => String(v).slice(0, 10) },
    },
    cast_lookup: { toNumber: (v) => Number(v) },
  };
  const docs: Doc[] = [
    { title: 'b', n: '10', date: '2013-02-02T10:00' },
    { title: 'c', n: '9', date: '2013-02-03T08:00' },
    { title: 'a', n: '100', date: '2013-02-02T23:00' },
  ];

  it('aliases work in string queries', () => {
    expect(execQuery('title_alias:a', docs, { key_schema: schema })).to.deep.equal([docs[2]]);
    expect(execQuery('day:"2013-02-02"', docs, { key_schema: schema })).to.deep.equal([docs[0], docs[2]]);
    expect(execQuery('num:>9', docs, { key_schema: schema })).to.deep.equal([docs[0], docs[2]]);
  });

  it('aliases and casts work in sort_on', () => {
    expect(execQuery('', docs, { key_schema: schema, sort_on: [['title_alias', 'ascending']] }).map((d) => d.title))
      .to.deep.equal(['a', 'b', 'c']);
    expect(execQuery('', docs, { key_schema: schema, sort_on: [['num', 'ascending']] }).map((d) => d.n))
      .to.deep.equal(['9', '10', '100']);
    expect(execQuery('', docs, { sort_on: [['n', 'ascending']] }).map((d) => d.n))
      .to.deep.equal(['10', '100', '9']);
  });

  it('a sort cast that throws sorts the document as missing', () => {
    const throwing: KeySchema = { key_set: { v: { read_from: 'v', cast_to: (v) => { if (v === 'x') throw new Error('bad'); return v; } } } };
    expect(sorted([{ v: 'b' }, { v: 'x' }, { v: 'a' }], [['v', 'ascending']], throwing)).to.deep.equal([{ v: 'x' }, { v: 'a' }, { v: 'b' }]);
  });
});

describe('the storage layer\'s pieces over {id, doc} records', () => {
  const records = [
    { id: 'r1', doc: { first: 'Ada', last: 'Lovelace', born: 1815 } },
    { id: 'r2', doc: { first: 'Alan', last: 'Turing', born: 1912 } },
    { id: 'r3', doc: { first: 'Grace', last: 'Hopper', born: 1906 } },
    { id: 'r4', doc: { first: 'Madame', last: 'Adams' } },
  ];

  it('compileQuery parses once and matches many, keeping the ids', () => {
    const match = compileQuery('first:"%ada%" OR last:"%ada%"');
    expect(records.filter((r) => match(r.doc)).map((r) => r.id)).to.deep.equal(['r1', 'r4']);
  });

  it('compareSortOn sorts the records by their docs', () => {
    const compare = compareSortOn([['born', 'descending']]);
    const out = [...records].sort((a, b) => compare(a.doc, b.doc));
    expect(out.map((r) => r.id)).to.deep.equal(['r2', 'r3', 'r1', 'r4']);
  });

  it('applyLimit and selectKeys finish the job', () => {
    const compare = compareSortOn([['last', 'ascending']]);
    const page = applyLimit([...records].sort((a, b) => compare(a.doc, b.doc)), [1, 2]);
    expect(page.map((r) => ({ id: r.id, value: selectKeys(r.doc, ['last']) }))).to.deep.equal([
      { id: 'r3', value: { last: 'Hopper' } }, { id: 'r1', value: { last: 'Lovelace' } },
    ]);
  });

  it('compareSortOn validates like execQuery', () => {
    expect(thrown(() => compareSortOn([['a', 'sideways' as 'ascending']])).name).to.equal('TypeError');
    expect(thrown(() => compareSortOn([['a', 'ascending']], { bad: 1 } as unknown as KeySchema)).status_code).to.equal(400);
  });
});
