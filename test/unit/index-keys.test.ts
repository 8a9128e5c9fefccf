import { expect } from '@open-wc/testing';
import { fold, indexFields } from '../../gadgets/storage/index-keys.js';
import { canonicalize } from '../../gadgets/query/like.js';
import { seededRandom } from '../shared/seeded-random.js';

/** Folding as the module docs define it: each code unit through Canonicalize. */
const byUnit = (text: string): string => Array.from({ length: text.length }, (_, i) => String.fromCharCode(canonicalize(text.charCodeAt(i)))).join('');

describe('Index entries (index-keys.ts)', () => {
  it('folds ASCII, other scripts, lone surrogates and long strings as Canonicalize does, unit by unit', () => {
    const random = seededRandom(15);
    const samples = ['', 'abc XYZ 09 _%', 'Saint-Étienne', 'ǅungla ß ﬀ ı İ', 'Москва', '\ud800x\udfff', 'a'.repeat(20000) + 'é'];
    for (let k = 0; k < 200; k++) samples.push(Array.from({ length: random.int(30) }, () => String.fromCharCode(random.int(k % 2 ? 128 : 0x10000))).join(''));
    for (const s of samples) expect(fold(s), JSON.stringify(s.slice(0, 20))).to.equal(byUnit(s));
  });

  it('stores a lone entry bare and a list as an array, and leaves out an empty fx (numbers)', () => {
    const f = indexFields({ name: 'Saint-Étienne', tags: ['a', 'b'], n: 5, flag: true, none: null }, ['name', 'tags', 'n', 'flag', 'none', 'missing']);
    expect(f.ix).to.deep.equal({ name: 'Saint-Étienne', tags: ['a', 'b'], n: 5, flag: ['true', 1] });
    expect(f.fx).to.deep.equal({ name: 'SAINT-ÉTIENNE', tags: ['A', 'B'], flag: 'TRUE' });
  });

  it('leaves out the fx entry of a string that folding leaves unchanged, and the sort key that is the lone ix entry', () => {
    const f = indexFields({ name: 'Saint-Étienne', code: 'FR', n: 5, tags: ['a', 'B'], one: ['É'], c: { content: 'x', lang: 'en' }, flag: true, none: null, nan: Number.NaN, o: {} }, ['name', 'code', 'n', 'tags', 'one', 'c', 'flag', 'none', 'nan', 'o']);
    expect(f.ix).to.deep.equal({ name: 'Saint-Étienne', code: 'FR', n: 5, tags: ['a', 'B'], one: 'É', c: 'x', flag: ['true', 1], nan: 'NaN', o: '[object Object]' });
    expect(f.fx).to.deep.equal({ name: 'SAINT-ÉTIENNE', tags: 'A', c: 'X', flag: 'TRUE', nan: 'NAN', o: '[OBJECT OBJECT]' });
    // Only where sort_on reads something else than the lone ix entry (index-keys.ts module docs).
    expect(f.ox).to.deep.equal({ tags: [0], flag: [0], none: [0], nan: [0], o: [0] });
  });

  it('leaves out every field with no key: a city has ix and fx only, an upper-case one ix alone', () => {
    const keys = ['name', 'country', 'population'];
    expect(indexFields({ name: 'Lyon', country: 'FR', population: 500000 }, keys)).to.deep.equal({ ix: { name: 'Lyon', country: 'FR', population: 500000 }, fx: { name: 'LYON' } });
    expect(indexFields({ name: 'OSLO', country: 'NO', population: 700000 }, keys)).to.deep.equal({ ix: { name: 'OSLO', country: 'NO', population: 700000 } });
    expect(indexFields({ other: 1 }, keys)).to.deep.equal({});
    const into = { id: 'x', doc: {} };
    expect(indexFields({ name: 'A' }, keys, into)).to.equal(into);
  });
});
