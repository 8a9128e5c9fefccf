/**
 * JIODate (docs/jio-compatibility.md "Dates") and its use as a cast_to in queries and sort_on
 * ("Matching" rule 8, "key_schema").
 */
import { expect } from '@open-wc/testing';
import { JIODate, execQuery, type KeySchema } from '../../gadgets/query.js';

type Doc = Record<string, unknown>;

function thrown(fn: () => unknown): Error & { status_code?: number } {
  try {
    fn();
  } catch (error) {
    return error as Error & { status_code?: number };
  }
  throw new Error('expected an exception');
}

const cmp = (a: string, b: string): number => new JIODate(a).cmp(new JIODate(b));

describe('JIODate', () => {
  describe('precision comes from the string', () => {
    const cases: Array<[string, string]> = [
      ['2011', 'year'],
      ['2011-06', 'month'],
      ['2011-06-15', 'day'],
      ['2011-06-15 10', 'hour'],
      ['2011-06-15 10:30', 'minute'],
      ['2011-06-15T10:30Z', 'minute'],
      ['2011-06-15T10:30+02:00', 'minute'],
      ['2011-06-15 10:30:45', 'second'],
      ['2011-06-15T10:30:45Z', 'second'],
      ['2011-06-15 10:30:45.123', 'millisecond'],
      ['2011-06-15T10:30:45.123456-05:00', 'millisecond'],
    ];
    for (const [text, precision] of cases) {
      it(`${text} → ${precision}`, () => {
        expect(new JIODate(text).getPrecision()).to.equal(precision);
      });
    }
  });

  describe('strings without a zone are local time, with a zone absolute', () => {
    it('reads local fields', () => {
      expect(new JIODate('2011-03-04 05:06:07.089').toDate().getTime()).to.equal(new Date(2011, 2, 4, 5, 6, 7, 89).getTime());
      expect(new JIODate('2011').toDate().getTime()).to.equal(new Date(2011, 0, 1).getTime());
      expect(new JIODate('2011-03').toDate().getTime()).to.equal(new Date(2011, 2, 1).getTime());
      expect(new JIODate('2011-03-04T05').toDate().getTime()).to.equal(new Date(2011, 2, 4, 5).getTime());
    });
    it('reads zones', () => {
      expect(new JIODate('2011-03-04T05:06Z').toDate().getTime()).to.equal(Date.UTC(2011, 2, 4, 5, 6));
      expect(new JIODate('2011-03-04T05:06:07+02:00').toDate().getTime()).to.equal(Date.UTC(2011, 2, 4, 3, 6, 7));
      expect(new JIODate('2011-03-04T05:06:07-0130').toDate().getTime()).to.equal(Date.UTC(2011, 2, 4, 6, 36, 7));
      expect(new JIODate('2011-03-04T05:06:07.5Z').toDate().getTime()).to.equal(Date.UTC(2011, 2, 4, 5, 6, 7, 500));
    });
    it('handles years below 100 literally', () => {
      expect(new JIODate('0099').toDate().getFullYear()).to.equal(99);
    });
  });

  describe('cmp compares at the lesser precision', () => {
    it('2011 equals any instant in 2011', () => {
      for (const inner of ['2011-01', '2011-06-15', '2011-01-01 00:00:00.000', '2011-12-31 23:59:59.999']) {
        expect(cmp('2011', inner), inner).to.equal(0);
        expect(cmp(inner, '2011'), inner).to.equal(0);
      }
    });
    it('before and after', () => {
      expect(cmp('2010-12-31 23:59:59.999', '2011')).to.equal(-1);
      expect(cmp('2011', '2010-12-31 23:59:59.999')).to.equal(1);
      expect(cmp('2012-01-01', '2011')).to.equal(1);
      expect(cmp('2011', '2012-01-01')).to.equal(-1);
    });
    it('2012-03 is any time in March 2012', () => {
      expect(cmp('2012-03', '2012-03-31 23:59')).to.equal(0);
      expect(cmp('2012-03', '2012-04-01 00:00')).to.equal(-1);
      expect(cmp('2012-03', '2012-02-29 23:59')).to.equal(1);
    });
    it('equal precisions compare exactly', () => {
      expect(cmp('2011-06-15 10:30:00.001', '2011-06-15 10:30:00.002')).to.equal(-1);
      expect(cmp('2011-06-15 10:30:45', '2011-06-15 10:30:45')).to.equal(0);
      expect(cmp('2011-06-15 11', '2011-06-15 10')).to.equal(1);
    });
    it('eq, ne, lt, le, gt, ge', () => {
      const d = new JIODate('2011-06');
      expect(d.eq(new JIODate('2011-06-30'))).to.equal(true);
      expect(d.ne(new JIODate('2011-07-01'))).to.equal(true);
      expect(d.lt(new JIODate('2011-07-01'))).to.equal(true);
      expect(d.le(new JIODate('2011-06-01'))).to.equal(true);
      expect(d.gt(new JIODate('2011-05-31 23:59'))).to.equal(true);
      expect(d.ge(new JIODate('2011-06-10'))).to.equal(true);
      expect(d.gt(new JIODate('2011-06-10'))).to.equal(false);
    });
    it('accepts a string or a Date as the other side', () => {
      expect(new JIODate('2011').cmp('2011-05-05')).to.equal(0);
      expect(new JIODate('2011').cmp(new Date(2012, 0, 1))).to.equal(-1);
    });
  });

  describe('unparsable input', () => {
    it('throws Error("Cannot parse: foobar")', () => {
      const error = thrown(() => new JIODate('foobar'));
      expect(error).to.be.instanceOf(Error);
      expect(error.message).to.equal('Cannot parse: foobar');
      expect(error.status_code).to.equal(400);
    });
    it('rejects impossible or partial dates and trailing text', () => {
      for (const text of ['2011-02-30', '2011-13', '2011-00', '2011-01-01 24:00', '2011-01-01 10:60', '201', '2011-1-1',
        '12345', '2011-01-01 10:00 junk', '', '2011-01-01T10:00+25:00']) {
        expect(thrown(() => new JIODate(text)).message, text).to.equal(`Cannot parse: ${text}`);
      }
      expect(new JIODate('2012-02-29').getPrecision()).to.equal('day');
    });
    it('rejects non-strings and invalid Dates', () => {
      expect(thrown(() => new JIODate(5 as unknown as string)).message).to.equal('Cannot parse: 5');
      expect(thrown(() => new JIODate(new Date(NaN))).message).to.match(/^Cannot parse: /);
    });
  });

  describe('other members', () => {
    it('copies a JIODate, reads a Date at millisecond precision, defaults to now', () => {
      const a = new JIODate('2011-06');
      const b = new JIODate(a);
      expect(b.getPrecision()).to.equal('month');
      expect(b.cmp(a)).to.equal(0);
      expect(new JIODate(new Date(2011, 5, 1)).getPrecision()).to.equal('millisecond');
      const before = Date.now();
      const now = new JIODate();
      expect(now.getPrecision()).to.equal('millisecond');
      expect(now.toDate().getTime()).to.be.within(before, Date.now());
    });
    it('setPrecision changes the comparison', () => {
      const d = new JIODate('2011-06-15 10:30');
      expect(d.cmp(new JIODate('2011-06-20 00:00'))).to.equal(-1);
      d.setPrecision('month');
      expect(d.cmp(new JIODate('2011-06-20 00:00'))).to.equal(0);
      expect(thrown(() => d.setPrecision('week' as 'day')).name).to.equal('TypeError');
    });
    it('toPrecisionString writes local time cut at the precision', () => {
      const d = new JIODate('2011-06-15 10:30:45.123');
      expect(d.toPrecisionString()).to.equal('2011-06-15 10:30:45.123');
      expect(d.toPrecisionString('minute')).to.equal('2011-06-15 10:30');
      expect(new JIODate('2011-06').toPrecisionString()).to.equal('2011-06');
      expect(new JIODate('2011-06').toString()).to.equal('2011-06');
      expect(thrown(() => d.toPrecisionString('fortnight' as 'day')).message).to.equal("Unsupported precision value 'fortnight'");
    });
  });
});

describe('JIODate as a cast_to in queries and sort_on', () => {
  const schema: KeySchema = { key_set: { date: { read_from: 'date', cast_to: (v) => new JIODate(v as string) } } };
  const docs: Doc[] = [
    /* 0 */ { date: '2010-12-31 23:59' },
    /* 1 */ { date: '2011-01-01' },
    /* 2 */ { date: '2012-03-01' },
    /* 3 */ { date: '2012-03-31 23:59:59' },
    /* 4 */ { date: '2012-04-01' },
    /* 5 */ { date: 'not a date' },
    /* 6 */ { other: 1 },
    /* 7 */ { date: '2012' },
  ];
  const ids = (query: string, key_schema: KeySchema = schema): number[] =>
    execQuery(query, docs, { key_schema }).map((d) => docs.indexOf(d));

  it('date:<"2011" is before 2011', () => {
    expect(ids('date:<"2011"')).to.deep.equal([0]);
  });

  it('date:"2012-03" is any time in March 2012 (and the year 2012 itself)', () => {
    expect(ids('date:"2012-03"')).to.deep.equal([2, 3, 7]);
  });

  it('all operators use cmp', () => {
    expect(ids('date:>="2012-03"')).to.deep.equal([2, 3, 4, 7]);
    expect(ids('date:>"2012-03"')).to.deep.equal([4]);
    expect(ids('date:<="2011"')).to.deep.equal([0, 1]);
    expect(ids('date:!="2012"')).to.deep.equal([0, 1]);
    expect(ids('date:="2011-01-01 00:00"')).to.deep.equal([1]);
    expect(ids('date:"2012-03%"')).to.deep.equal([]); // the query value itself cannot be cast
  });

  it('an unparsable or missing document date never matches, not even with !=', () => {
    expect(ids('date:!="1999"')).to.not.include(5);
    expect(ids('date:!="1999"')).to.not.include(6);
    expect(ids('NOT date:"1999"')).to.include.members([5, 6]);
  });

  it('cast_to may be JIODate itself, or a name in cast_lookup (jIO query storage\'s dateType)', () => {
    expect(ids('date:<"2011"', { key_set: { date: { read_from: 'date', cast_to: JIODate as never } } })).to.deep.equal([0]);
    const dateType = (s: unknown): JIODate => new JIODate(new Date(s as string));
    const rfc: Doc[] = [{ at: 'Tue, 05 Mar 2013 10:00:00 GMT' }, { at: 'Wed, 06 Mar 2013 10:00:00 GMT' }];
    const storageSchema: KeySchema = { key_set: { at: { read_from: 'at', cast_to: 'dateType' } }, cast_lookup: { dateType } };
    expect(execQuery('at:<"2013-03-06T00:00Z"', rfc, { key_schema: storageSchema })).to.deep.equal([rfc[0]]);
  });

  it('sorts chronologically across formats; unparsable and missing dates sort as missing', () => {
    const input: Doc[] = [
      { i: 0, date: '2012-03-04T10:00Z' }, { i: 1, date: '2011' }, { i: 2, date: 'nope' },
      { i: 3, date: '2011-06-01 12:00' }, { i: 4 }, { i: 5, date: '2010-12-31' },
    ];
    const asc = execQuery('', input, { key_schema: schema, sort_on: [['date', 'ascending']] }).map((d) => d.i);
    expect(asc.slice(0, 2)).to.have.members([2, 4]);
    // 2011 equals 2011-06-01 at year precision: the tie keeps the input order.
    expect(asc.slice(2)).to.deep.equal([5, 1, 3, 0]);
    const desc = execQuery('', input, { key_schema: schema, sort_on: [['date', 'descending']] }).map((d) => d.i);
    expect(desc.slice(0, 4)).to.deep.equal([0, 1, 3, 5]);
  });
});
