/**
 * Matching rules, examples and deliberate differences (docs/jio-compatibility.md), plus the linear
 * LIKE matcher.
 */
import { expect } from '@open-wc/testing';
import { compileQuery, execQuery, type KeySchema, type QueryTree } from '../../gadgets/query.js';
import { compileLike, canonicalize } from '../../gadgets/query/like.js';

type Doc = Record<string, unknown>;

/** Which of `docs` (by index) match `query`. */
function hits(query: string | QueryTree, docs: Doc[], keySchema?: KeySchema): number[] {
  const match = compileQuery(query, keySchema);
  return docs.flatMap((doc, i) => (match(doc) ? [i] : []));
}

function matches(query: string | QueryTree, doc: Doc, keySchema?: KeySchema): boolean {
  return compileQuery(query, keySchema)(doc);
}

describe('query matching', () => {
  describe('rule 1: operator', () => {
    it('without an operator, a value with % is LIKE', () => {
      expect(matches('title:%ada%', { title: 'Ada Lovelace' })).to.equal(true);
      expect(matches('title:"%ada"', { title: 'Ada Lovelace' })).to.equal(false);
      expect(matches('title:"% Lovelace"', { title: 'ADA LOVELACE' })).to.equal(true);
    });

    it('without an operator, a value without % is = (case-sensitive)', () => {
      expect(matches('title:Ada', { title: 'Ada' })).to.equal(true);
      expect(matches('title:ada', { title: 'Ada' })).to.equal(false);
      expect(matches('title:Ad', { title: 'Ada' })).to.equal(false);
    });

    it('an invalid operator falls back to LIKE/=', () => {
      const like = { type: 'simple', key: 'title', value: 'a%', operator: 'like' } as unknown as QueryTree;
      const tilde = { type: 'simple', key: 'title', value: 'ab', operator: '~' } as unknown as QueryTree;
      expect(matches(like, { title: 'ABC' })).to.equal(true);
      expect(matches(tilde, { title: 'ab' })).to.equal(true);
      expect(matches(tilde, { title: 'AB' })).to.equal(false);
    });

    it('an explicit = never does wildcards: title:="25%" is literal', () => {
      expect(hits('title:="25%"', [{ title: '25%' }, { title: '250' }, { title: '25' }])).to.deep.equal([0]);
      expect(hits('title:"25%"', [{ title: '25%' }, { title: '250' }, { title: '25' }])).to.deep.equal([0, 1, 2]);
    });

    it('_ is a wildcard only when the value also contains %', () => {
      expect(hits('t:a_c', [{ t: 'abc' }, { t: 'a_c' }])).to.deep.equal([1]);
      expect(hits('t:a_c%', [{ t: 'abc' }, { t: 'a_c' }, { t: 'ac' }])).to.deep.equal([0, 1]);
    });
  });

  describe('rule 2: key lookup in key_set', () => {
    const schema: KeySchema = { key_set: { name: { read_from: 'title' }, who: 'author' } };
    it('an alias key object reads its read_from property', () => {
      expect(matches('name:Ada', { title: 'Ada' }, schema)).to.equal(true);
      expect(matches('name:Ada', { name: 'Ada' }, schema)).to.equal(false);
    });
    it('a string entry renames the key', () => {
      expect(matches('who:Ada', { author: 'Ada' }, schema)).to.equal(true);
    });
    it('keys not in key_set are read as they are', () => {
      expect(matches('title:Ada', { title: 'Ada' }, schema)).to.equal(true);
    });
    it('inherited key_set members are not aliases', () => {
      expect(matches('constructor:x', { constructor: 'x' } as Doc, schema)).to.equal(true);
    });
  });

  describe('rule 3: empty key = full text', () => {
    it('is a case-insensitive substring search over every own property', () => {
      const docs = [{ first: 'Ada', last: 'Lovelace' }, { first: 'Alan', last: 'Turing' }, { note: 'about ADAMS' }];
      expect(hits('ada', docs)).to.deep.equal([0, 2]);
      expect(hits('LOVE', docs)).to.deep.equal([0]);
    });

    it('skips __id', () => {
      expect(hits('abc', [{ __id: 'abc', t: 'x' }, { t: 'xabcx' }])).to.deep.equal([1]);
    });

    it('skips falsy values (0, "", false, null)', () => {
      expect(hits('0', [{ n: 0 }, { n: 10 }])).to.deep.equal([1]);
      expect(hits('false', [{ b: false }, { b: 'false' }])).to.deep.equal([1]);
      expect(hits('null', [{ v: null }, { v: 'nullable' }])).to.deep.equal([1]);
      expect(matches('""', { a: '', b: 0 })).to.equal(false);
      expect(matches('""', { a: 'x' })).to.equal(true);
    });

    it('matches numbers and booleans through String()', () => {
      expect(hits('2016', [{ year: 2016 }, { year: 2015 }])).to.deep.equal([0]);
      expect(matches('tru', { ok: true })).to.equal(true);
    });

    it('looks into arrays and {content} objects', () => {
      expect(matches('beta', { tags: ['alpha', 'beta'] })).to.equal(true);
      expect(matches('bonjour', { title: { content: 'Bonjour', lang: 'fr' } })).to.equal(true);
      expect(matches('bonjour', { title: [{ content: 'x' }, { content: 'Bonjour!' }] })).to.equal(true);
    });

    it('keeps % and _ as wildcards inside the term', () => {
      expect(matches('a_a', { name: 'Ada' })).to.equal(true);
      expect(matches('l%ce', { name: 'Lovelace' })).to.equal(true);
      expect(matches('a_a', { name: 'Adda' })).to.equal(false);
    });

    it('ignores the operator, as jIO does', () => {
      expect(matches('!= abc', { t: 'xabcx' })).to.equal(true);
    });

    it('three words are three ANDed substring terms (test post 2016)', () => {
      const docs = [{ title: 'Test post', year: 2016 }, { title: 'Test', year: 2016 }, { body: 'a post to test in 2016' }];
      expect(hits('test post 2016', docs)).to.deep.equal([0, 2]);
    });

    it('only reads own properties', () => {
      const doc = Object.create({ inherited: 'secret' }) as Doc;
      doc.own = 'visible';
      expect(matches('secret', doc)).to.equal(false);
      expect(matches('visible', doc)).to.equal(true);
    });
  });

  describe('rule 4: a missing value is false for every operator', () => {
    const doc = { other: 'x' };
    for (const query of ['a:x', 'a:!=x', 'a:<x', 'a:<=x', 'a:>x', 'a:>=x', 'a:%', 'a:="x"']) {
      it(`${query} is false on a document without a`, () => {
        expect(matches(query, doc)).to.equal(false);
      });
    }
    it('so NOT key:x is true for documents lacking key', () => {
      expect(hits('NOT a:x', [{ a: 'x' }, { a: 'y' }, {}])).to.deep.equal([1, 2]);
    });
    it('inherited properties count as missing', () => {
      expect(matches('constructor:%', {})).to.equal(false);
      expect(matches('toString:!=x', {})).to.equal(false);
    });
    it('a cast that throws counts as missing', () => {
      const schema: KeySchema = {
        key_set: { n: { read_from: 'n', cast_to: (v) => { if (v === 'bad') throw new Error('no'); return v; } } },
      };
      expect(hits('n:!=x', [{ n: 'bad' }, { n: 'y' }], schema)).to.deep.equal([1]);
    });
  });

  describe('rule 5: value normalisation', () => {
    it('arrays are looked at element-wise', () => {
      expect(hits('tag:b', [{ tag: ['a', 'b'] }, { tag: ['c'] }, { tag: 'b' }])).to.deep.equal([0, 2]);
      expect(hits('tag:B%', [{ tag: ['a', 'bee'] }, { tag: [] }])).to.deep.equal([0]);
    });
    it('a {content} object is replaced by its content', () => {
      expect(matches('title:x', { title: { content: 'x', lang: 'en' } })).to.equal(true);
      expect(matches('title:x', { title: [{ content: 'y' }, { content: 'x', lang: 'en' }] })).to.equal(true);
      expect(matches('title:x', { title: { lang: 'x' } })).to.equal(false);
    });
  });

  describe('rule 6: =, != and LIKE', () => {
    it('= compares String(element) with the value: 5 matches "5", true matches "true"', () => {
      expect(matches('n:5', { n: 5 })).to.equal(true);
      expect(matches('b:true', { b: true })).to.equal(true);
      expect(matches('n:5', { n: 5.0 })).to.equal(true);
      expect(matches('n:5.0', { n: 5 })).to.equal(false);
    });

    it('!= is true when no element equals', () => {
      expect(hits('tag:!=a', [{ tag: ['a', 'b'] }, { tag: ['b', 'c'] }, { tag: 'a' }, { tag: [] }])).to.deep.equal([1, 3]);
    });

    it('LIKE escapes regexp metacharacters', () => {
      expect(hits('t:"a.c%"', [{ t: 'abc1' }, { t: 'a.c1' }])).to.deep.equal([1]);
      expect(hits('t:"(x)*+?[]{}^$|%"', [{ t: '(x)*+?[]{}^$|!' }, { t: 'x' }])).to.deep.equal([0]);
    });

    it('LIKE treats \\ as a literal (no escape for % or _)', () => {
      expect(matches('t:"a\\%"', { t: 'a\\bc' })).to.equal(true);
      expect(matches('t:"a\\%"', { t: 'a%' })).to.equal(false);
    });

    it('% matches newlines and tabs; _ matches one character but not a newline', () => {
      expect(matches('t:a%b', { t: 'a\n\tx\r\nb' })).to.equal(true);
      expect(matches('t:a_b%', { t: 'a\tb' })).to.equal(true);
      expect(matches('t:a_b%', { t: 'a\nb' })).to.equal(false);
    });

    it('LIKE is case-insensitive, any element may match', () => {
      expect(matches('t:%LOVE%', { t: ['x', 'lovelace'] })).to.equal(true);
    });
  });

  describe('rule 7: < <= > >=', () => {
    it('use only the first array element', () => {
      expect(matches('n:>5', { n: [1, 10] })).to.equal(false);
      expect(matches('n:>5', { n: [10, 1] })).to.equal(true);
      expect(matches('n:<5', { n: [] })).to.equal(false);
    });

    it('number document values compare numerically (5 < "10")', () => {
      expect(matches('n:<10', { n: 5 })).to.equal(true);
      expect(matches('n:>=10', { n: 10 })).to.equal(true);
      expect(matches('n:>10', { n: 9 })).to.equal(false);
    });

    it('string document values compare lexicographically ("5" < "10" is false, "B" < "b")', () => {
      expect(matches('n:<10', { n: '5' })).to.equal(false);
      expect(matches('t:<b', { t: 'B' })).to.equal(true);
      expect(matches('t:<B', { t: 'b' })).to.equal(false);
      expect(matches('t:<=abc', { t: 'abc' })).to.equal(true);
    });

    it('unwrap {content}', () => {
      expect(matches('n:>2', { n: { content: 3 } })).to.equal(true);
    });
  });

  describe('rule 8: cast_to and equal_match', () => {
    it('cast_to applies to the document value and to the query value', () => {
      const seen: unknown[] = [];
      const schema: KeySchema = {
        key_set: { n: { read_from: 'n', cast_to: (v) => { seen.push(v); return Number(v); } } },
      };
      expect(hits('n:<10', [{ n: '5' }, { n: '20' }], schema)).to.deep.equal([0]);
      expect(seen).to.include('10');
      expect(seen).to.include('5');
    });

    it('cast_to may be a name in cast_lookup', () => {
      const schema: KeySchema = {
        key_set: { n: { read_from: 'n', cast_to: 'toNumber' } },
        cast_lookup: { toNumber: (v) => Number(v) },
      };
      expect(hits('n:>9', [{ n: '10' }, { n: '9' }], schema)).to.deep.equal([0]);
    });

    it('a cast result with cmp is compared with it for every operator', () => {
      class Len {
        constructor(readonly n: number) {}
        cmp(other: unknown): number { return this.n - (other as Len).n; }
      }
      const schema: KeySchema = { key_set: { len: { read_from: 'w', cast_to: (v) => new Len(String(v).length) } } };
      const docs = [{ w: 'ab' }, { w: 'abc' }, { w: 'abcd' }];
      expect(hits('len:xyz', docs, schema)).to.deep.equal([1]);
      expect(hits('len:"x%z"', docs, schema)).to.deep.equal([1]);
      expect(hits('len:!=xyz', docs, schema)).to.deep.equal([0, 2]);
      expect(hits('len:<xyz', docs, schema)).to.deep.equal([0]);
      expect(hits('len:>=xyz', docs, schema)).to.deep.equal([1, 2]);
    });

    it('equal_match replaces = and LIKE only', () => {
      const calls: unknown[][] = [];
      const schema: KeySchema = {
        key_set: {
          name: {
            read_from: 'name',
            equal_match: (object_value, value) => {
              calls.push([object_value, value]);
              return String(object_value).toLowerCase() === String(value).toLowerCase();
            },
          },
        },
      };
      const docs = [{ name: 'ada' }, { name: 'Alan' }];
      expect(hits('name:ADA', docs, schema)).to.deep.equal([0]);
      expect(hits('name:"AD%"', docs, schema)).to.deep.equal([]); // LIKE replaced too
      expect(calls).to.deep.include(['ada', 'AD%']);
      expect(hits('name:!=ADA', docs, schema)).to.deep.equal([0, 1]); // != is not replaced
      expect(hits('name:<b', docs, schema)).to.deep.equal([0, 1]); // nor are ranges
    });

    it('equal_match may be a name in match_lookup', () => {
      const schema: KeySchema = {
        key_set: { t: { read_from: 't', equal_match: 'prefix' } },
        match_lookup: { prefix: (o, v) => String(o).startsWith(String(v)) },
      };
      expect(hits('t:ab', [{ t: 'abc' }, { t: 'xab' }], schema)).to.deep.equal([0]);
    });

    it('a key object may also appear directly in a JSON tree, with names for its functions', () => {
      const tree = { type: 'simple', key: { read_from: 'n', cast_to: 'num' }, value: '9', operator: '>' } as QueryTree;
      const schema: KeySchema = { key_set: {}, cast_lookup: { num: Number } };
      expect(hits(tree, [{ n: '10' }, { n: '8' }], schema)).to.deep.equal([0]);
    });
  });

  describe('rule 9: complex queries', () => {
    function counting(): { schema: KeySchema; reads: string[] } {
      const reads: string[] = [];
      const schema: KeySchema = {
        key_set: {
          a: { read_from: 'a', cast_to: (v) => { reads.push('a'); return v; } },
          b: { read_from: 'b', cast_to: (v) => { reads.push('b'); return v; } },
        },
      };
      return { schema, reads };
    }

    it('AND short-circuits', () => {
      const { schema, reads } = counting();
      const match = compileQuery('a:1 AND b:1', schema);
      reads.length = 0;
      expect(match({ a: '0', b: '1' })).to.equal(false);
      expect(reads).to.deep.equal(['a']);
    });

    it('OR short-circuits', () => {
      const { schema, reads } = counting();
      const match = compileQuery('a:1 OR b:1', schema);
      reads.length = 0;
      expect(match({ a: '1', b: '1' })).to.equal(true);
      expect(reads).to.deep.equal(['a']);
    });

    it('NOT negates its (first) child', () => {
      expect(hits('NOT (a:1 OR a:2)', [{ a: '1' }, { a: '2' }, { a: '3' }])).to.deep.equal([2]);
      const twoChildren = { type: 'complex', operator: 'NOT', query_list: [{ type: 'simple', key: 'a', value: '1' }, { type: 'simple', key: 'a', value: '2' }] } as QueryTree;
      expect(hits(twoChildren, [{ a: '1' }, { a: '2' }])).to.deep.equal([1]);
    });

    it('a complex query with no or unknown operator behaves as AND; names are case-insensitive', () => {
      const list = [{ type: 'simple', key: 'a', value: '1' }, { type: 'simple', key: 'b', value: '1' }];
      const docs = [{ a: '1', b: '1' }, { a: '1', b: '0' }];
      expect(hits({ type: 'complex', query_list: list } as unknown as QueryTree, docs)).to.deep.equal([0]);
      expect(hits({ type: 'complex', operator: 'XOR', query_list: list } as unknown as QueryTree, docs)).to.deep.equal([0]);
      expect(hits({ type: 'complex', operator: 'or', query_list: list } as unknown as QueryTree, docs)).to.deep.equal([0, 1]);
      expect(hits({ type: 'complex', operator: 'AND', query_list: [] }, docs)).to.deep.equal([0, 1]);
      expect(hits({ type: 'complex', operator: 'OR', query_list: [] }, docs)).to.deep.equal([]);
    });
  });

  it('non-object documents never match, even match-all', () => {
    expect(compileQuery('a:1')(null as unknown as object)).to.equal(false);
    expect(compileQuery('')(42 as unknown as object)).to.equal(false);
  });
});

describe('the jIO examples (docs/jio-compatibility.md "Examples")', () => {
  const docs: Doc[] = [
    /* 0 */ { title: 'Document number 1', creator: 'John Doe', format: 'pdf', year: 1999, state: 'done' },
    /* 1 */ { title: 'document number 1', creator: 'Jane Doe', format: 'odt', year: '1998', state: 'cancelled' },
    /* 2 */ { title: 'Bananza', creator: '25%', format: 'pdf', year: 2005, state: 'draft' },
    /* 3 */ { portal_type: 'Person', title: 'Ada Lovelace', first: 'Ada', last: 'Lovelace' },
    /* 4 */ { portal_type: 'Organisation', title: 'Canada Inc', state: 'open' },
    /* 5 */ { portal_type: 'Person', title: 'Alan Turing', first: 'Alan', last: 'Turing', body: 'test post', year: 2016 },
    /* 6 */ { creator: '250', first: 'Madame', last: 'Adams' },
  ];
  const cases: Array<[string, number[]]> = [
    ['title:"Document number 1"', [0]],
    ['creator:"% Doe" AND format:pdf', [0]],
    ['creator:="25%"', [2]],
    ['year: < 2000 OR title:"%a"', [0, 1, 2]], // 1999 < "2000"; "1998" < "2000"; Bananza
    ['NOT (state:done OR state:cancelled)', [2, 3, 4, 5, 6]],
    ['portal_type:(Person OR Organisation) title:%ada%', [3, 4]],
    ['test post 2016', [5]],
    ['first:"%ada%" OR last:"%ada%"', [3, 6]],
  ];
  for (const [query, expected] of cases) {
    it(query, () => {
      expect(hits(query, docs)).to.deep.equal(expected);
    });
  }

  it('allDocs({query: "type:person", sort_on: [["name","descending"]], limit: [0, 20], select_list: ["name"]})', () => {
    const people = [
      { type: 'person', name: 'Bob', age: 3 }, { type: 'robot', name: 'R2' }, { type: 'person', name: 'Alice' },
      { type: 'person', name: 'Carol', age: 5 }, { type: 'person' },
    ];
    const out = execQuery('type:person', people, { sort_on: [['name', 'descending']], limit: [0, 20], select_list: ['name'] });
    expect(out).to.deep.equal([{ name: 'Carol' }, { name: 'Bob' }, { name: 'Alice' }, {}]);
  });
});

describe('jIO behaviours not copied', () => {
  it('no stateful % test: name:"%" is LIKE for every document', () => {
    const docs = [{ name: 'x' }, { other: 'x' }, { name: 'y' }, { name: 'z' }];
    expect(hits('name:"%"', docs)).to.deep.equal([0, 2, 3]);
    expect(execQuery('name:"%"', [{ name: 'x' }, { other: 'x' }, { name: 'x' }])).to.have.length(2);
  });

  it('a null document value simply does not match, for every operator', () => {
    for (const query of ['a:x', 'a:!=x', 'a:<x', 'a:>x', 'a:%', 'a:="x"', 'NOT a:x']) {
      expect(matches(query, { a: null }), query).to.equal(query.startsWith('NOT'));
    }
    expect(matches('a:x', { a: [null, 'x'] })).to.equal(true);
    expect(matches('a:!=x', { a: [null] })).to.equal(true);
    expect(matches('a:<x', { a: [null] })).to.equal(false);
    expect(matches('a:x', { a: { content: null } })).to.equal(false);
  });

  it('the hostile LIKE %a%a%a%a%a%a%a%b over 100 KB finishes in milliseconds with the right answer', () => {
    const text = 'a'.repeat(100000);
    const start = performance.now();
    expect(matches('t:"%a%a%a%a%a%a%a%b"', { t: text })).to.equal(false);
    expect(matches('t:"%a%a%a%a%a%a%a%b"', { t: `${text}b` })).to.equal(true);
    expect(matches('%a%a%a%a%a%a%a%b', { t: text, u: text })).to.equal(false); // full text: %…%
    expect(performance.now() - start).to.be.below(200);
  });

  it('long hostile segments stay linear too', () => {
    const text = 'a'.repeat(100000);
    const start = performance.now();
    expect(matches(`t:"%${'a'.repeat(5000)}b%"`, { t: text })).to.equal(false);
    expect(matches(`t:"%${'a_'.repeat(300)}b%"`, { t: text })).to.equal(false);
    expect(matches(`t:"%${'a_'.repeat(300)}b%"`, { t: `${text}b` })).to.equal(true);
    expect(matches(`t:"${'%_'.repeat(2000)}b"`, { t: text })).to.equal(false);
    expect(performance.now() - start).to.be.below(200);
  });
});

describe('LIKE matcher (like.ts)', () => {
  /** jIO's own construction: a backtracking regexp (fine on tiny inputs). */
  function reference(pattern: string, text: string): boolean {
    const source = pattern.replace(/[-[\]{}()*+?.,\\^$|#\s]/g, '\\$&').replace(/%/g, '[\\s\\S]*').replace(/_/g, '.');
    return new RegExp(`^${source}$`, 'i').test(text);
  }

  it('agrees with jIO\'s regexp on 20 000 random pattern/text pairs', () => {
    const alphabet = ['a', 'A', 'b', '%', '_', '\n', '\r', 'ß', 'S', 's', 'é', 'É', '.', '\\', 'ſ', 'K', 'k', '\u212a', '\u2028', 'ı', 'I', ' '];
    let seed = 12345;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    const word = (max: number, letters: string[]): string => Array.from({ length: random(max + 1) }, () => letters[random(letters.length)]).join('');
    const textLetters = alphabet.filter((c) => c !== '%' && c !== '_').concat(['%', '_']);
    for (let i = 0; i < 20000; i += 1) {
      const pattern = word(6, alphabet);
      const text = word(8, textLetters);
      expect(compileLike(pattern)(text), `${JSON.stringify(pattern)} ~ ${JSON.stringify(text)}`).to.equal(reference(pattern, text));
    }
  });

  it('agrees with jIO\'s regexp on long wildcard segments (multi-word Shift-And state)', () => {
    let seed = 777;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    for (let round = 0; round < 400; round += 1) {
      const length = 33 + random(100);
      const body = Array.from({ length }, () => ['a', 'a', 'a', 'b', '_', 'B', '\n'][random(7)]).join('');
      const pattern = `${random(2) ? '%' : ''}${body}${random(2) ? '%' : ''}`;
      // A text that contains the segment (wildcards filled in), sometimes with one character changed.
      let filled = body.replace(/_/g, () => (random(40) ? ['a', 'b', 'x'][random(3)] : '\n'));
      if (random(2)) {
        const at = random(filled.length);
        filled = filled.slice(0, at) + ['a', 'b', 'c'][random(3)] + filled.slice(at + 1);
      }
      const pad = (): string => 'ab'.repeat(random(20));
      for (const text of [filled, pad() + filled, filled + pad(), pad() + filled + pad()]) {
        expect(compileLike(pattern)(text), `${JSON.stringify(pattern)} ~ ${JSON.stringify(text)}`).to.equal(reference(pattern, text));
      }
    }
  });

  it('compiles a 60 000-character wildcard segment of distinct characters quickly', () => {
    let segment = '';
    for (let i = 0; i < 30000; i += 1) segment += `${String.fromCharCode(0x4e00 + i)}_`;
    const start = performance.now();
    expect(compileLike(`%${segment}%`)('a'.repeat(100000))).to.equal(false);
    expect(compileLike(`%${segment}%`)(`x${segment.replace(/_/g, 'y')}x`)).to.equal(true);
    expect(performance.now() - start).to.be.below(1000);
  });

  it('canonicalises like a non-unicode /i regexp', () => {
    expect(canonicalize('a'.charCodeAt(0))).to.equal('A'.charCodeAt(0));
    expect(canonicalize('é'.charCodeAt(0))).to.equal('É'.charCodeAt(0));
    expect(canonicalize('ß'.charCodeAt(0))).to.equal('ß'.charCodeAt(0)); // upper case is two letters
    expect(canonicalize('ſ'.charCodeAt(0))).to.equal('ſ'.charCodeAt(0)); // would map into ASCII
    expect(compileLike('STRASSE')('straße')).to.equal(false);
    expect(compileLike('%É%')('café')).to.equal(true);
  });

  it('handles empty patterns and segments', () => {
    expect(compileLike('')('')).to.equal(true);
    expect(compileLike('')('a')).to.equal(false);
    expect(compileLike('%')('')).to.equal(true);
    expect(compileLike('%%')('anything')).to.equal(true);
    expect(compileLike('a%%b')('ab')).to.equal(true);
    expect(compileLike('ab%ba')('aba')).to.equal(false); // prefix and suffix may not overlap
    expect(compileLike('ab%ba')('abba')).to.equal(true);
  });

  it('finds middle segments greedily left to right', () => {
    expect(compileLike('%abc%abd%')('xxabcabdxx')).to.equal(true);
    expect(compileLike('%aab%')('aaab')).to.equal(true); // KMP restart
    expect(compileLike('%a_b%')('ab')).to.equal(false);
    expect(compileLike('%a_b%')('aab')).to.equal(true);
    expect(compileLike('%a_b%')('aaxb')).to.equal(true); // Shift-And restart
    expect(compileLike(`%${'x_'.repeat(40)}y%`)(`${'xz'.repeat(50)}xy`)).to.equal(false); // multi-word state
    expect(compileLike(`%${'x_'.repeat(40)}y%`)(`q${'xz'.repeat(40)}yq`)).to.equal(true);
  });
});
