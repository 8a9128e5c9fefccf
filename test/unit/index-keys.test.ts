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
    const f = indexFields({ name: 'Saint-Étienne', tags: ['a', 'B'], n: 5, flag: true, none: null }, ['name', 'tags', 'n', 'flag', 'none', 'missing']);
    expect(f.ix).to.deep.equal({ name: 'Saint-Étienne', tags: ['a', 'B'], n: 5, flag: ['true', 1] });
    expect(f.fx).to.deep.equal({ name: 'SAINT-ÉTIENNE', tags: ['A', 'B'], flag: 'TRUE' });
    expect(f.sx).to.deep.equal({ name: 'Saint-Étienne', tags: [0], n: 5, flag: [0], none: [0] });
  });
});
