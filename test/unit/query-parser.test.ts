/**
 * The query language's grammar and JSON form (docs/jio-compatibility.md "Grammar", "JSON form") and
 * stringify round trips.
 */
import { expect } from '@open-wc/testing';
import { parseQuery, stringifyQuery, compileQuery, type QueryTree } from '../../gadgets/query.js';

/** Runs `fn`, expects it to throw, returns the error. */
function thrown(fn: () => unknown): Error & { status_code?: number } {
  try {
    fn();
  } catch (error) {
    return error as Error & { status_code?: number };
  }
  throw new Error('expected an exception');
}

function s(key: string, value: string, operator?: string): QueryTree {
  const q: Record<string, unknown> = { type: 'simple', key, value };
  if (operator !== undefined) q.operator = operator;
  return q as unknown as QueryTree;
}
const and = (...query_list: QueryTree[]): QueryTree => ({ type: 'complex', operator: 'AND', query_list });
const or = (...query_list: QueryTree[]): QueryTree => ({ type: 'complex', operator: 'OR', query_list });
const not = (query: QueryTree): QueryTree => ({ type: 'complex', operator: 'NOT', query_list: [query] });

describe('query parser', () => {
  describe('the consequences listed under "Grammar"', () => {
    it('AND binds tighter than OR: a:1 OR b:2 AND c:3 = a OR (b AND c)', () => {
      expect(parseQuery('a:1 OR b:2 AND c:3')).to.deep.equal(or(s('a', '1'), and(s('b', '2'), s('c', '3'))));
    });

    it('NOT applies to the next expression only: NOT a:1 b:2 = (NOT a) AND b', () => {
      expect(parseQuery('NOT a:1 b:2')).to.deep.equal(and(not(s('a', '1')), s('b', '2')));
    });

    it('NOT NOT a is a syntax error', () => {
      const error = thrown(() => parseQuery('NOT NOT a'));
      expect(error.status_code).to.equal(400);
      expect(error.message).to.match(/^Parse error on line 1:/);
    });

    it('NOT (NOT a) simplifies to a', () => {
      expect(parseQuery('NOT (NOT a)')).to.deep.equal(s('', 'a'));
      expect(parseQuery('NOT (NOT x:1)')).to.deep.equal(s('x', '1'));
    });

    it('the implicit AND is right-recursive: a b OR c = a AND (b OR c)', () => {
      expect(parseQuery('a b OR c')).to.deep.equal(and(s('', 'a'), or(s('', 'b'), s('', 'c'))));
    });

    it('while a AND b OR c = (a AND b) OR c', () => {
      expect(parseQuery('a AND b OR c')).to.deep.equal(or(and(s('', 'a'), s('', 'b')), s('', 'c')));
    });

    it('key:(x OR y) distributes the key', () => {
      expect(parseQuery('key:(x OR y)')).to.deep.equal(or(s('key', 'x'), s('key', 'y')));
      expect(parseQuery('k:(x (y OR NOT z))')).to.deep.equal(
        and(s('k', 'x'), or(s('k', 'y'), not(s('k', 'z')))));
    });

    it('the key goes only to keyless leaves: k:(x OR j:y)', () => {
      expect(parseQuery('k:(x OR j:y)')).to.deep.equal(or(s('k', 'x'), s('j', 'y')));
    });

    it('a:b:c gets key b', () => {
      expect(parseQuery('a:b:c')).to.deep.equal(s('b', 'c'));
      expect(parseQuery('a:b:c:d')).to.deep.equal(s('c', 'd'));
    });

    it('lower-case and/or/not are ordinary words', () => {
      expect(parseQuery('a and b')).to.deep.equal(and(s('', 'a'), s('', 'and'), s('', 'b')));
      expect(parseQuery('x or not y')).to.deep.equal(and(s('', 'x'), s('', 'or'), s('', 'not'), s('', 'y')));
    });

    it('key : "v" with spaces is fine', () => {
      expect(parseQuery('key : "v"')).to.deep.equal(s('key', 'v'));
      expect(parseQuery('key :  v')).to.deep.equal(s('key', 'v'));
    });

    it('a: >= "5" is fine', () => {
      expect(parseQuery('a: >= "5"')).to.deep.equal(s('a', '5', '>='));
    });

    it('syntax errors throw a 400 RtcError whose message starts like jIO\'s', () => {
      for (const text of ['(a', 'a)', 'a:', 'AND a', 'a OR', 'a AND', '"a', ':a', 'a:NOT b', '()', ' ', '"a":b', 'NOT']) {
        const error = thrown(() => parseQuery(text));
        expect(error, text).to.be.instanceOf(Error);
        expect(error.status_code, text).to.equal(400);
        expect(error.message, text).to.match(/^Parse error on line 1:\n/);
      }
    });

    it('the error message shows the position and what was expected', () => {
      const error = thrown(() => parseQuery('title:"x" )'));
      expect(error.message).to.equal(
        'Parse error on line 1:\ntitle:"x" )\n----------^\nExpecting \'EOF\', \'OR\', \'AND\', \'NOT\', '
        + '\'LEFT_PARENTHESE\', \'WORD\', \'OPERATOR\', \'QUOTE\', got \'RIGHT_PARENTHESE\'');
    });

    it('counts lines as jison does', () => {
      expect(thrown(() => parseQuery('a\nb\n)')).message).to.match(/^Parse error on line 2:/);
    });

    it('text no lexer rule knows (a lone !) is a 400 with the same prefix', () => {
      const error = thrown(() => parseQuery('a!b'));
      expect(error.status_code).to.equal(400);
      expect(error.message).to.match(/^Parse error on line 1:\n/);
      expect(error.message).to.contain('Unrecognized text');
    });

    it('"" is match-all (no parsing); a blank string is a syntax error as in jIO', () => {
      expect(parseQuery('')).to.deep.equal({ type: 'complex', operator: 'AND', query_list: [] });
      expect(thrown(() => parseQuery('   ')).status_code).to.equal(400);
    });

    it('rejects a non-string with a 400', () => {
      expect(thrown(() => parseQuery(42 as unknown as string)).status_code).to.equal(400);
    });
  });

  describe('lexer', () => {
    it('AND/OR/NOT are keywords only when not followed by a word character', () => {
      expect(parseQuery('ANDROID')).to.deep.equal(s('', 'ANDROID'));
      expect(parseQuery('ORDER NOTE')).to.deep.equal(and(s('', 'ORDER'), s('', 'NOTE')));
      expect(parseQuery('a AND-b')).to.deep.equal(and(s('', 'a'), s('', '-b')));
      expect(parseQuery('NOT(a)')).to.deep.equal(not(s('', 'a')));
    });

    it('WORD stops at space, quote, parentheses, colon and <>!=', () => {
      expect(parseQuery('a=b')).to.deep.equal(and(s('', 'a'), s('', 'b', '=')));
      expect(parseQuery('x:y(z)')).to.deep.equal(and(s('x', 'y'), s('', 'z')));
      expect(parseQuery('price:<=10')).to.deep.equal(s('price', '10', '<='));
      expect(parseQuery('a:!=b')).to.deep.equal(s('a', 'b', '!='));
      expect(parseQuery('a:>b')).to.deep.equal(s('a', 'b', '>'));
      expect(parseQuery('é:ü%')).to.deep.equal(s('é', 'ü%'));
    });

    it('quoted strings keep spaces, (), :, operators and keywords', () => {
      expect(parseQuery('t:"a (b): <c> AND d"')).to.deep.equal(s('t', 'a (b): <c> AND d'));
    });

    it('only \\" is unescaped; other backslashes stay', () => {
      expect(parseQuery('t:"say \\"hi\\""')).to.deep.equal(s('t', 'say "hi"'));
      expect(parseQuery('t:"a\\b\\n"')).to.deep.equal(s('t', 'a\\b\\n'));
      expect(parseQuery('t:a\\b')).to.deep.equal(s('t', 'a\\b'));
    });

    it('the empty quoted string is a value', () => {
      expect(parseQuery('t:""')).to.deep.equal(s('t', ''));
      expect(parseQuery('""')).to.deep.equal(s('', ''));
    });

    it('any whitespace separates, newlines and tabs included', () => {
      expect(parseQuery('a\tb\nc\u00a0d')).to.deep.equal(and(s('', 'a'), s('', 'b'), s('', 'c'), s('', 'd')));
    });
  });

  describe('JSON form', () => {
    it('keyless terms get key "" and the operator is omitted unless written', () => {
      const tree = parseQuery('hello') as unknown as Record<string, unknown>;
      expect(tree).to.deep.equal({ type: 'simple', key: '', value: 'hello' });
      expect(Object.prototype.hasOwnProperty.call(tree, 'operator')).to.equal(false);
      expect(parseQuery('title:="25%"')).to.deep.equal(s('title', '25%', '='));
      expect(parseQuery('!= x')).to.deep.equal(s('', 'x', '!='));
    });

    it('nested same-operator complex queries are flattened', () => {
      expect(parseQuery('a AND b AND c')).to.deep.equal(and(s('', 'a'), s('', 'b'), s('', 'c')));
      expect(parseQuery('a OR b OR c')).to.deep.equal(or(s('', 'a'), s('', 'b'), s('', 'c')));
      expect(parseQuery('a b c')).to.deep.equal(and(s('', 'a'), s('', 'b'), s('', 'c')));
      expect(parseQuery('(a OR b) OR (c OR d)')).to.deep.equal(or(s('', 'a'), s('', 'b'), s('', 'c'), s('', 'd')));
      expect(parseQuery('(a AND b) c AND d')).to.deep.equal(and(s('', 'a'), s('', 'b'), s('', 'c'), s('', 'd')));
      expect(parseQuery('(a OR b) c')).to.deep.equal(and(or(s('', 'a'), s('', 'b')), s('', 'c')));
    });

    it('NOT is a complex query with one child', () => {
      expect(parseQuery('NOT a:1')).to.deep.equal({
        type: 'complex', operator: 'NOT', query_list: [{ type: 'simple', key: 'a', value: '1' }],
      });
      expect(parseQuery('NOT (a b)')).to.deep.equal(not(and(s('', 'a'), s('', 'b'))));
    });

    it('parses the jIO examples (docs/jio-compatibility.md "Examples")', () => {
      expect(parseQuery('title:"Document number 1"')).to.deep.equal(s('title', 'Document number 1'));
      expect(parseQuery('creator:"% Doe" AND format:pdf')).to.deep.equal(and(s('creator', '% Doe'), s('format', 'pdf')));
      expect(parseQuery('creator:="25%"')).to.deep.equal(s('creator', '25%', '='));
      expect(parseQuery('year: < 2000 OR title:"%a"')).to.deep.equal(or(s('year', '2000', '<'), s('title', '%a')));
      expect(parseQuery('NOT (state:done OR state:cancelled)')).to.deep.equal(
        not(or(s('state', 'done'), s('state', 'cancelled'))));
      expect(parseQuery('portal_type:(Person OR Organisation) title:%ada%')).to.deep.equal(
        and(or(s('portal_type', 'Person'), s('portal_type', 'Organisation')), s('title', '%ada%')));
      expect(parseQuery('test post 2016')).to.deep.equal(and(s('', 'test'), s('', 'post'), s('', '2016')));
      expect(parseQuery('first:"%ada%" OR last:"%ada%"')).to.deep.equal(or(s('first', '%ada%'), s('last', '%ada%')));
    });
  });

  describe('bounds', () => {
    it('accepts 64 nested parentheses and rejects 65', () => {
      expect(parseQuery(`${'('.repeat(64)}a${')'.repeat(64)}`)).to.deep.equal(s('', 'a'));
      const error = thrown(() => parseQuery(`${'('.repeat(65)}a${')'.repeat(65)}`));
      expect(error.status_code).to.equal(400);
      expect(error.message).to.contain('nested deeper than 64');
    });

    it('rejects query strings longer than 64 KiB, also in compileQuery', () => {
      const long = `t:"${'x'.repeat(65536)}"`;
      expect(thrown(() => parseQuery(long)).status_code).to.equal(400);
      expect(thrown(() => compileQuery(long)).message).to.contain('longer than 65536');
      expect((parseQuery(`t:"${'x'.repeat(65000)}"`) as { value: string }).value.length).to.equal(65000);
    });

    it('parses 10 000 implicitly ANDed terms into one flat AND, quickly and without recursion', () => {
      const text = Array.from({ length: 10000 }, (_, i) => `w${i}`).join(' ');
      const start = performance.now();
      const tree = parseQuery(text) as { query_list: QueryTree[] };
      expect(performance.now() - start).to.be.below(1000);
      expect(tree.query_list.length).to.equal(10000);
      expect(tree.query_list[9999]).to.deep.equal(s('', 'w9999'));
    });

    it('a long key chain a:a:…:x does not recurse', () => {
      expect(parseQuery(`${'k:'.repeat(5000)}x`)).to.deep.equal(s('k', 'x'));
    });

    it('alternating separators nest; more than 64 levels is a 400', () => {
      expect(parseQuery('a OR b c OR d')).to.deep.equal(or(s('', 'a'), and(s('', 'b'), or(s('', 'c'), s('', 'd')))));
      const deep = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' OR x ');
      const error = thrown(() => parseQuery(deep));
      expect(error.status_code).to.equal(400);
      expect(error.message).to.contain('nested deeper than 64');
    });
  });
});

describe('query trees from JSON are validated', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['a number', 42, /Invalid query/],
    ['null in query_list', { type: 'complex', operator: 'AND', query_list: [null] }, /Invalid query at query_list\[0\]/],
    ['a string in query_list', { type: 'complex', operator: 'AND', query_list: ['a'] }, /at query_list\[0\]/],
    ['an unknown type', { type: 'fancy', key: 'a', value: 'b' }, /Invalid query/],
    ['an array', [], /Invalid query/],
    ['a missing value', { type: 'simple', key: 'a' }, /value must be a string or a finite number/],
    ['an object value', { type: 'simple', key: 'a', value: { $gt: 1 } }, /value must be/],
    ['a NaN value', { type: 'simple', key: 'a', value: NaN }, /value must be/],
    ['a numeric key', { type: 'simple', key: 1, value: 'b' }, /key must be a string or a key object/],
    ['a missing key', { type: 'simple', value: 'b' }, /key must be/],
    ['a numeric operator', { type: 'simple', key: 'a', value: 'b', operator: 1 }, /operator must be a string/],
    ['a non-array query_list', { type: 'complex', operator: 'OR', query_list: { 0: 1 } }, /query_list must be an array/],
    ['a NOT without child', { type: 'complex', operator: 'NOT', query_list: [] }, /NOT query needs one query/],
    ['a deep path', { type: 'complex', query_list: [{ type: 'simple', key: 'a', value: 'b' }, { type: 'complex', query_list: [{ type: 'simple', key: 'a' }] }] }, /at query_list\[1\]\.query_list\[0\]: value/],
  ];
  for (const [name, tree, message] of bad) {
    it(`rejects ${name} with a 400`, () => {
      const error = thrown(() => compileQuery(tree as QueryTree));
      expect(error.status_code).to.equal(400);
      expect(error.message).to.match(message);
    });
  }

  it('rejects trees nested deeper than 64 complex levels', () => {
    let tree: QueryTree = s('a', 'b');
    for (let i = 0; i < 64; i += 1) tree = not(tree);
    expect(compileQuery(tree)({ a: 'b' })).to.equal(true); // an even number of NOTs
    expect(compileQuery(tree)({ a: 'c' })).to.equal(false);
    tree = not(tree);
    expect(thrown(() => compileQuery(tree)).message).to.contain('nested deeper than 64');
    expect(thrown(() => stringifyQuery(tree)).status_code).to.equal(400);
  });

  it('rejects a cyclic tree instead of looping', () => {
    const cyclic: { type: string; operator: string; query_list: unknown[] } = { type: 'complex', operator: 'AND', query_list: [] };
    cyclic.query_list.push(cyclic);
    expect(thrown(() => compileQuery(cyclic as QueryTree)).status_code).to.equal(400);
  });

  it('treats null, undefined and "" as match-all, as jIO\'s query storage (query || "")', () => {
    for (const query of [null, undefined, '']) expect(compileQuery(query)({ any: 1 })).to.equal(true);
  });

  it('is lenient where jIO is: missing query_list, unknown operators, extra members', () => {
    expect(compileQuery({ type: 'complex' } as unknown as QueryTree)({ a: 1 })).to.equal(true);
    expect(compileQuery({ type: 'simple', key: 'a', value: 'b', operator: 'like', extra: 1 } as unknown as QueryTree)({ a: 'b' })).to.equal(true);
  });
});

describe('stringifyQuery', () => {
  it('writes the jIO example exactly', () => {
    expect(stringifyQuery(parseQuery('NOT(a:=b OR c:% AND d:<2)'))).to.equal('NOT ( ( a: = "b" OR ( c:  "%" AND d: < "2" ) ) )');
  });

  it('writes simple queries as key: op "value"', () => {
    expect(stringifyQuery(s('title', 'x'))).to.equal('title:  "x"');
    expect(stringifyQuery(s('title', 'x', '!='))).to.equal('title: != "x"');
    expect(stringifyQuery(s('', 'x'))).to.equal(' "x"');
    expect(stringifyQuery({ type: 'simple', key: 'n', value: 5, operator: '>' })).to.equal('n: > "5"');
  });

  const queries = [
    'a', 'title:"Document number 1"', 'creator:"% Doe" AND format:pdf', 'creator:="25%"',
    'year: < 2000 OR title:"%a"', 'NOT (state:done OR state:cancelled)',
    'portal_type:(Person OR Organisation) title:%ada%', 'test post 2016',
    'first:"%ada%" OR last:"%ada%"', 'a:1 OR b:2 AND c:3', 'NOT a:1 b:2', 'a b OR c', 'a AND b OR c',
    'k:(x OR y)', 'a:b:c', 'a and b', 'a: >= "5"', 'x:!=y', 'x:<=3 x:>=1', 'NOT (a b)', 'NOT (a OR NOT b)',
    't:"say \\"hi\\""', 't:"a\\b"', 't:a\\', 't:"\\\\\\"x"', 'ANDROID', 'a AND-b', 't:""', '""', '"AND" "OR" "NOT"',
    'é:"ü ñ"', 'a OR b c OR d', '(a OR b) (c OR d) NOT (e f)', 'k:(NOT x OR y)', 'n:"line\nbreak"',
    't:"(:)<>!="', 'x:%_%', '',
  ];
  for (const text of queries) {
    it(`round-trips ${JSON.stringify(text)}`, () => {
      const tree = parseQuery(text);
      const written = stringifyQuery(tree);
      expect(parseQuery(written)).to.deep.equal(tree);
      expect(stringifyQuery(parseQuery(written))).to.equal(written);
    });
  }

  it('round-trips values with quotes and backslashes in every position', () => {
    const pieces = ['', 'a', '\\', '"', '\\"', '\\\\', ' ', '%'];
    for (const x of pieces) {
      for (const y of pieces) {
        for (const z of pieces) {
          const value = x + y + z;
          const tree = s('k', value);
          let written: string;
          try {
            written = stringifyQuery(tree);
          } catch (error) {
            // Only a value ending in a backslash that is not a single word has no string form.
            expect(value.endsWith('\\'), value).to.equal(true);
            expect(/[\s"]/.test(value), value).to.equal(true);
            expect((error as { status_code: number }).status_code).to.equal(400);
            continue;
          }
          expect(parseQuery(written), written).to.deep.equal(tree);
        }
      }
    }
  });

  it('writes the match-all tree as the empty string', () => {
    expect(stringifyQuery(parseQuery(''))).to.equal('');
  });

  it('writes other trees as equivalent strings', () => {
    expect(stringifyQuery(and(s('a', '1')))).to.equal('( a:  "1" )');
    expect(parseQuery(stringifyQuery({ type: 'complex', operator: 'or' as 'OR', query_list: [s('', 'a'), s('', 'b')] })))
      .to.deep.equal(or(s('', 'a'), s('', 'b')));
    expect(stringifyQuery({ type: 'simple', key: 'a', value: 'b', operator: 'like' as '=' })).to.equal('a:  "b"');
  });

  it('refuses what the language cannot express, with a 400', () => {
    const cases: unknown[] = [
      { type: 'simple', key: { read_from: 'a' }, value: 'b' },
      s('first name', 'x'),
      s('AND', 'x'),
      s('a:b', 'x'),
      s('k', 'a b\\'),
      or(),
      { type: 'complex', operator: 'NOT', query_list: [] },
      and(s('a', 'b'), and()),
      { type: 'nope' },
    ];
    for (const tree of cases) {
      expect(thrown(() => stringifyQuery(tree as QueryTree)).status_code, JSON.stringify(tree)).to.equal(400);
    }
  });
});
