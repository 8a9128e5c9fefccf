/**
 * CSV and JSON import (gadgets/elements/query-form/import-file.ts): which columns become
 * numbers, and which separator a CSV uses.
 */
import { expect } from '@open-wc/testing';
import { detectDelimiter, parseCsv, readImportFile } from '../../gadgets/elements/query-form/import-file.js';

const docs = (text: string) => parseCsv(text).map((entry) => entry.doc);

describe('CSV import', () => {
  it('casts a column to numbers only when every non-empty cell is a number that keeps its text', () => {
    const csv = [
      'city,zip,population,area,code,note',
      'Paris,75001,2102650,105.4,12,',
      'Nowhere,007,,-0.5,12345678901234567890,n/a',
      'Berlin,10115,3850809,891.12,1,',
    ].join('\r\n');
    expect(docs(csv)).to.deep.equal([
      { city: 'Paris', zip: '75001', population: 2102650, area: 105.4, code: '12' },
      { city: 'Nowhere', zip: '007', area: -0.5, code: '12345678901234567890', note: 'n/a' },
      { city: 'Berlin', zip: '10115', population: 3850809, area: 891.12, code: '1' },
    ]);
  });

  it('keeps a column of text as text when one cell is not a number', () => {
    expect(docs('id,qty\na,1\nb,2\nc,about 3\n')).to.deep.equal([
      { id: 'a', qty: '1' }, { id: 'b', qty: '2' }, { id: 'c', qty: 'about 3' },
    ]);
    expect(docs('id,qty\na,+1\n'), 'a sign the number would drop').to.deep.equal([{ id: 'a', qty: '+1' }]);
  });

  it('reads ;-separated files (Excel in comma-decimal locales), with quoted separators', () => {
    const csv = '\uFEFFname;zip;price;"a;b"\n"Dupont, Jean";007;1,5;x\nMartin;1000;2;y\n';
    expect(detectDelimiter(csv)).to.equal(';');
    expect(docs(csv)).to.deep.equal([
      { name: 'Dupont, Jean', zip: '007', price: '1,5', 'a;b': 'x' },
      { name: 'Martin', zip: '1000', price: '2', 'a;b': 'y' },
    ]);
  });

  it('tells the separator from the header line only, outside quotes', () => {
    expect(detectDelimiter('a,b,c\n1;2;3;4;5\n')).to.equal(',');
    expect(detectDelimiter('"x,y";z\n')).to.equal(';');
    expect(detectDelimiter('a\tb\tc\r\n1,2\n')).to.equal('\t');
    expect(detectDelimiter('single\n1\n')).to.equal(',');
  });

  it('reads a picked .csv file the same way', async () => {
    const file = new File(['zip;n\n007;1\n'], 'places.csv', { type: 'text/csv' });
    expect(await readImportFile(file)).to.deep.equal([{ doc: { zip: '007', n: 1 } }]);
  });
});
