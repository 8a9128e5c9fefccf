// The `fields` attribute of <rtc-query-form> (gadgets/elements/query-form/fields.ts): types, the
// values typed text stands for, and what an edit saves.
import { expect } from '@open-wc/testing';
import { applyEdits, fieldValue, firstInvalid, parseFields, sameDoc } from '../../gadgets/elements/query-form/fields.js';

describe('query form fields', () => {
  it('parses names and types; an unknown type is a 400 naming it', () => {
    expect(parseFields(' name , population:number,,note:text ')).to.deep.equal([
      { name: 'name', type: 'text' }, { name: 'population', type: 'number' }, { name: 'note', type: 'text' },
    ]);
    expect(parseFields('')).to.deep.equal([]);
    expect(() => parseFields('a,b:date')).to.throw("fields: unknown type 'date' for b (known: text, number)").with.property('status_code', 400);
  });

  it('turns text into values: numbers for a number field, trimmed text otherwise, nothing for empty', () => {
    const n = { name: 'population', type: 'number' as const };
    expect([' 1500 ', '-2.5', '.5', '+7', '1e6', '0'].map((t) => fieldValue(n, t))).to.deep.equal([1500, -2.5, 0.5, 7, 1e6, 0]);
    for (const bad of ['12a', '1,5', '1 000', 'Infinity', '0x10', '1e999', '.']) expect(() => fieldValue(n, bad), bad).to.throw('population must be a number');
    expect(fieldValue(n, '  ')).to.equal(undefined);
    expect(fieldValue({ name: 'zip', type: 'text' }, ' 007 ')).to.equal('007');
    expect(firstInvalid([{ name: 'a', type: 'text' }, n], { a: 'x', population: 'many' })).to.deep.equal({ name: 'population', message: 'population must be a number, like 1500 or -2.5' });
    // A field left as shown is not checked (a stored value the form cannot parse stays as it is).
    expect(firstInvalid([n], { population: 'n/a' }, { population: 'n/a' })).to.equal(null);
  });

  it('an edit changes only the fields whose text changed, keeps the rest, removes an emptied one', () => {
    const fields = parseFields('first,last,age:number,tags');
    const base = { first: 'Ada', last: 'Byron', age: 36, tags: ['math'], born: 1815 };
    const shown = { first: 'Ada', last: 'Byron', age: '36', tags: '["math"]' };
    expect(applyEdits(base, fields, { ...shown, last: 'Lovelace', age: '37' }, shown)).to.deep.equal({ first: 'Ada', last: 'Lovelace', age: 37, tags: ['math'], born: 1815 });
    expect(applyEdits(base, fields, { ...shown, first: '' }, shown)).to.deep.equal({ last: 'Byron', age: 36, tags: ['math'], born: 1815 });
    expect(base.first, 'base is not mutated').to.equal('Ada');
  });

  it('compares documents by value, key order aside', () => {
    expect(sameDoc({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).to.equal(true);
    expect(sameDoc({ a: 1 }, { a: '1' })).to.equal(false);
    expect(sameDoc({ a: 1 }, { a: 1, b: undefined })).to.equal(false);
    expect(sameDoc([1, 2], { 0: 1, 1: 2 })).to.equal(false);
    expect(sameDoc({ a: null }, { a: null })).to.equal(true);
  });
});
