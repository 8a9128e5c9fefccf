import { expect } from '@open-wc/testing';
import { caseVariants, foldsTo, indexFields } from '../../gadgets/storage/index-keys.js';
import { canonicalize } from '../../gadgets/query/like.js';
import { seededRandom } from '../shared/seeded-random.js';

/** Folding as the module docs define it: each code unit through Canonicalize. */
const byUnit = (text: string): string => Array.from({ length: text.length }, (_, i) => String.fromCharCode(canonicalize(text.charCodeAt(i)))).join('');

describe('Index entries (index-keys.ts)', () => {
  it('stores a lone entry bare and a list as an array', () => {
    const f = indexFields({ name: 'Saint-Étienne', tags: ['a', 'b'], n: 5, flag: true, none: null }, ['name', 'tags', 'n', 'flag', 'none', 'missing']);
    expect(f.ix).to.deep.equal({ name: 'Saint-Étienne', tags: ['a', 'b'], n: 5, flag: ['true', 1] });
  });

  it('stores no folded entry, and the sort key only where it is not the lone ix entry', () => {
    const f = indexFields({ name: 'Saint-Étienne', code: 'FR', n: 5, tags: ['a', 'B'], one: ['É'], c: { content: 'x', lang: 'en' }, flag: true, none: null, nan: Number.NaN, o: {} }, ['name', 'code', 'n', 'tags', 'one', 'c', 'flag', 'none', 'nan', 'o']);
    expect(f).to.deep.equal({
      ix: { name: 'Saint-Étienne', code: 'FR', n: 5, tags: ['a', 'B'], one: 'É', c: 'x', flag: ['true', 1], nan: 'NaN', o: '[object Object]' },
      ox: { tags: [0], flag: [0], none: [0], nan: [0], o: [0] },
    });
  });

  it('leaves out every field with no key: a city has ix only, as many entries as Dexie indexes', () => {
    const keys = ['name', 'country', 'population'];
    expect(indexFields({ name: 'Lyon', country: 'FR', population: 500000, loc: { x: 1 } }, keys)).to.deep.equal({ ix: { name: 'Lyon', country: 'FR', population: 500000 } });
    expect(indexFields({ other: 1 }, keys)).to.deep.equal({});
    const into = { id: 'x', doc: {} };
    expect(indexFields({ name: 'A' }, keys, into)).to.equal(into);
  });

  it('finds every code unit that canonicalizes alike, for all 65,536', () => {
    const byTarget = new Map<number, number[]>();
    for (let u = 0; u < 0x10000; u++) {
      const t = canonicalize(u);
      byTarget.set(t, [...(byTarget.get(t) ?? []), u]);
    }
    for (let u = 0; u < 0x10000; u++) expect([...foldsTo(u)].sort((a, b) => a - b), `U+${u.toString(16)}`).to.deep.equal(byTarget.get(canonicalize(u)));
  });

  it('gives the case variants a case-insensitive prefix can start with, cut to at most 32', () => {
    expect(caseVariants('pa').sort()).to.deep.equal(['PA', 'Pa', 'pA', 'pa']);
    expect(caseVariants('1-é')).to.deep.equal(['1-É', '1-é']);
    expect(caseVariants('Saint-Étienne').length).to.equal(32); // 'Saint-': 2^5 variants, cut before 'É'
    expect(caseVariants('Saint-Étienne').every((p) => p.length === 6 && byUnit(p) === 'SAINT-')).to.equal(true);
    expect(caseVariants('')).to.deep.equal([]);
    // Every string whose start canonicalizes as the literal does starts with one of them.
    const random = seededRandom(16);
    const units = [0x61, 0x41, 0x3c3, 0x3c2, 0x3a3, 0x1c4, 0x1c5, 0x1c6, 0xdf, 0x131, 0x49, 0x69, 0x212a, 0x4b, 0x30, 0xe9, 0xc9];
    const pick = (n: number) => String.fromCharCode(...Array.from({ length: n }, () => units[random.int(units.length)]!));
    for (let k = 0; k < 2000; k++) {
      const literal = pick(1 + random.int(8));
      const text = pick(literal.length) + pick(random.int(3));
      const variants = caseVariants(literal);
      if (byUnit(text.slice(0, literal.length)) === byUnit(literal)) expect(variants.some((v) => text.startsWith(v)), `${literal} ${text}`).to.equal(true);
    }
  });
});
