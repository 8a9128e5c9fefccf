import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import { stringifySliced } from '../../gadgets/channel/sliced-json.js';
import { MAX_REST_MS, shortRequestStarted, yieldAndRest, yieldToOthers } from '../../gadgets/storage/slicer.js';
import { channelPair, nextMessage } from './helpers.js';

describe('stringifySliced (sliced-json.ts)', () => {
  it('gives the text JSON.stringify gives, for any JSON value and for undefined, functions, toJSON and null prototypes', async () => {
    const extra = fc.oneof(fc.constant(undefined), fc.constant(() => 1), fc.date({ noInvalidDate: true }), fc.constant(Object.create(null) as object));
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.jsonValue(), extra, tie('arr'), tie('obj')),
      // Long arrays, so that the sliced path (64 elements and more) is taken.
      arr: fc.array(tie('v'), { minLength: 0, maxLength: 150 }),
      obj: fc.dictionary(fc.string(), tie('v'), { maxKeys: 5 }),
    })).v;
    await fc.assert(fc.asyncProperty(value, async (v) => {
      expect(await stringifySliced(v, 0)).to.equal(JSON.stringify(v));
    }), { numRuns: 300 });
    expect(await stringifySliced(undefined)).to.equal(undefined);
    expect(await stringifySliced({ a: undefined, b: [undefined, () => 1, Symbol('s')], c: new Date(0) })).to.equal(JSON.stringify({ a: undefined, b: [undefined, () => 1, Symbol('s')], c: new Date(0) }));
  });

  it('throws TypeError on a cycle, as JSON.stringify does', async () => {
    const o: Record<string, unknown> = { rows: Array.from({ length: 100 }, (_, i) => ({ i })) };
    o.self = o;
    let error: unknown = null;
    await stringifySliced(o).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(TypeError);
    const rows: unknown[] = Array.from({ length: 100 }, (_, i) => ({ i }));
    rows.push({ back: rows });
    error = null;
    await stringifySliced({ rows }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(TypeError);
  });

  it('lets other tasks run between slices of a large answer', async () => {
    const rows = Array.from({ length: 100000 }, (_, i) => ({ id: `city-${i}`, value: { name: `Ville ${i}`, population: i } }));
    let ticks = 0;
    let running = true;
    const tick = (): void => {
      if (!running) return;
      ticks++;
      setTimeout(tick, 0);
    };
    setTimeout(tick, 0);
    const text = await stringifySliced({ data: { rows, total_rows: rows.length } }, 1);
    running = false;
    expect(text).to.equal(JSON.stringify({ data: { rows, total_rows: rows.length } }));
    // JSON.stringify of 100,000 rows takes tens of ms: timers ran in between (none could in one block).
    expect(ticks).to.be.greaterThan(2);
  });

  it('FramedChannel.sendSliced delivers the same message, framed when large', async () => {
    const { a, b, endpointA } = channelPair({ maxMessageSize: 16 * 1024 });
    const message = { v: 1, type: 'response', id: 7, result: { data: { rows: Array.from({ length: 3000 }, (_, i) => ({ id: `d${i}`, value: { n: i, s: 'é'.repeat(i % 7) } })), total_rows: 3000 } } };
    const got = nextMessage(b);
    await a.sendSliced(message);
    expect(await got).to.deep.equal(message);
    expect(endpointA.sentFrames).to.be.greaterThan(1);
  });
});

describe('rests of a scan while short requests are served (slicer.ts)', () => {
  it('yieldAndRest returns at once without short requests, rests while one is in flight and wakes when it ends', async () => {
    const order: string[] = [];
    // No short request: no rest (done before a timer of 20 ms).
    await Promise.race([yieldAndRest().then(() => order.push('no rest')), new Promise((r) => setTimeout(r, 20)).then(() => order.push('timer'))]);
    expect(order[0]).to.equal('no rest');

    order.length = 0;
    const done = shortRequestStarted();
    const rest = yieldAndRest().then(() => order.push('rested'));
    await yieldToOthers(); // the rest has begun (same priority, queued after its yield)
    order.push('request done');
    done();
    done(); // a second call is ignored
    await rest;
    expect(order).to.deep.equal(['request done', 'rested']);

    // A request that never ends holds a rest for at most MAX_REST_MS.
    const stuck = shortRequestStarted();
    const t0 = performance.now();
    await yieldAndRest();
    const ms = performance.now() - t0;
    stuck();
    expect(ms).to.be.at.least(MAX_REST_MS - 0.5);
  });
});
