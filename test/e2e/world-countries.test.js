// End to end, for real: the broadcaster process, the demo master page and slave pages in
// separate browser contexts, real WebRTC data channels and the master's real IndexedDB.
// A slave posts the 250 countries of `world-countries`, queries them, the master reloads,
// and everything still answers the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launchChromium, openConnected, startBroadcaster } from './harness.js';

const require = createRequire(import.meta.url);
const raw = JSON.parse(readFileSync(require.resolve('world-countries/countries.json'), 'utf8'));

/** The countries flattened to plain fields (strings, numbers, booleans, arrays of strings). */
const countries = raw.map((c) => ({
  common: c.name.common,
  official: c.name.official,
  capital: c.capital?.[0] ?? '',
  region: c.region,
  subregion: c.subregion ?? '',
  languages: Object.values(c.languages ?? {}),
  area: c.area,
  cca2: c.cca2,
  cca3: c.cca3,
  landlocked: c.landlocked,
  independent: c.independent === true,
}));

// Independent answers, computed here in plain JavaScript (not with the project's query engine).
const ci = (s) => String(s).toLowerCase();
const fullText = (doc, word) =>
  Object.values(doc).some((v) => (Array.isArray(v) ? v : [v]).some((x) => x && ci(x).includes(ci(word))));
const byName = (a, b) => (a.common < b.common ? -1 : a.common > b.common ? 1 : 0);

const queries = [
  { name: 'exact', options: { query: 'cca2:"FR"' }, expect: (d) => d.filter((c) => c.cca2 === 'FR') },
  { name: 'LIKE prefix (case-insensitive)', options: { query: 'common:"bel%"' }, expect: (d) => d.filter((c) => ci(c.common).startsWith('bel')) },
  { name: 'LIKE with _', options: { query: 'cca3:"F_%"' }, expect: (d) => d.filter((c) => c.cca3.length >= 2 && c.cca3[0] === 'F') },
  { name: 'range >', options: { query: 'area:>1000000' }, expect: (d) => d.filter((c) => c.area > 1000000) },
  { name: 'range AND', options: { query: 'area:>=100000 AND area:<200000' }, expect: (d) => d.filter((c) => c.area >= 100000 && c.area < 200000) },
  { name: 'NOT', options: { query: 'region:Europe AND NOT landlocked:true' }, expect: (d) => d.filter((c) => c.region === 'Europe' && c.landlocked !== true) },
  { name: 'OR', options: { query: 'region:Oceania OR subregion:"Northern Europe"' }, expect: (d) => d.filter((c) => c.region === 'Oceania' || c.subregion === 'Northern Europe') },
  { name: 'key distribution', options: { query: 'region:(Africa OR Asia) landlocked:true' }, expect: (d) => d.filter((c) => (c.region === 'Africa' || c.region === 'Asia') && c.landlocked === true) },
  { name: '!=', options: { query: 'region:!="Europe"' }, expect: (d) => d.filter((c) => c.region !== 'Europe') },
  { name: 'array element', options: { query: 'languages:French' }, expect: (d) => d.filter((c) => c.languages.includes('French')) },
  { name: 'full text', options: { query: 'island' }, expect: (d) => d.filter((c) => fullText(c, 'island')) },
  { name: 'full text, two words', options: { query: 'united kingdom' }, expect: (d) => d.filter((c) => fullText(c, 'united') && fullText(c, 'kingdom')) },
  {
    name: 'sort descending + limit',
    ordered: true,
    options: { query: 'region:Americas', sort_on: [['area', 'descending']], limit: [0, 5] },
    expect: (d) => d.filter((c) => c.region === 'Americas').sort((a, b) => b.area - a.area).slice(0, 5),
  },
  {
    name: 'sort ascending + skip',
    ordered: true,
    options: { sort_on: [['common', 'ascending']], limit: [10, 5] },
    expect: (d) => [...d].sort(byName).slice(10, 15),
  },
  {
    name: 'select_list',
    ordered: true,
    options: { query: 'cca2:"J%"', sort_on: [['cca2', 'ascending']], select_list: ['common', 'capital'] },
    expect: (d) => d.filter((c) => c.cca2.startsWith('J')).sort((a, b) => (a.cca2 < b.cca2 ? -1 : 1)),
    values: (c) => ({ common: c.common, capital: c.capital }),
  },
];

let broadcaster;
let browser;
let master;
let slave;
const idOf = new Map(); // cca3 → id

/** Runs allDocs in a page against its `#db` element and times the round trip. */
async function allDocs(page, options) {
  return page.evaluate(async (opts) => {
    const t0 = performance.now();
    const result = await document.getElementById('db').allDocs(opts);
    return { result, ms: performance.now() - t0 };
  }, options);
}

async function checkQueries(page, label) {
  const times = [];
  for (const q of queries) {
    const { result, ms } = await allDocs(page, q.options);
    times.push(ms);
    const want = q.expect(countries);
    assert.ok(want.length > 0, `${q.name}: the expectation must not be empty`);
    const rows = result.data.rows;
    assert.equal(result.data.total_rows, rows.length);
    const gotIds = rows.map((r) => r.id);
    const wantIds = want.map((c) => idOf.get(c.cca3));
    if (q.ordered) assert.deepEqual(gotIds, wantIds, `${label} ${q.name}`);
    else assert.deepEqual([...gotIds].sort(), [...wantIds].sort(), `${label} ${q.name}`);
    if (q.values) assert.deepEqual(rows.map((r) => r.value), want.map(q.values), `${label} ${q.name} values`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`# ${label}: ${queries.length} queries, round trip median ${sorted[sorted.length >> 1].toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`);
}

before(async () => {
  broadcaster = await startBroadcaster();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await broadcaster?.stop();
});

test('the broadcaster prints its URLs and the page URLs', () => {
  const out = broadcaster.output.join('\n');
  assert.match(out, new RegExp(`http://127\\.0\\.0\\.1:${broadcaster.port}/`));
  assert.match(out, /Master page: http:\/\/.+\/demo\/master\.html/);
  assert.match(out, /Slave page: http:\/\/.+\/demo\/slave\.html/);
});

test('a master page and a slave page connect over WebRTC', async () => {
  master = await openConnected(browser, `${broadcaster.origin}/demo/master.html`, 'rtc-master');
  const t0 = Date.now();
  slave = await openConnected(browser, `${broadcaster.lanOrigin}/demo/slave.html`, 'rtc-slave');
  const connectMs = await slave.page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return performance.now() - nav.domContentLoadedEventEnd;
  });
  console.log(`# slave connected ${connectMs.toFixed(0)} ms after its page loaded (${Date.now() - t0} ms including page load)`);
  const peers = await master.page.evaluate(() => document.getElementById('db').peers);
  assert.equal(peers.length, 1);
  assert.equal(peers[0].state, 'connected');
  // The slave closed its WebSocket: it now talks only over the data channel.
  await master.page.waitForFunction(() => /1 slave\b/.test(document.querySelector('rtc-status').shadowRoot.textContent));
});

test('the slave posts all 250 countries into the master', async () => {
  const ids = await slave.page.evaluate(async (docs) => {
    const db = document.getElementById('db');
    return Promise.all(docs.map((d) => db.post(d)));
  }, countries);
  assert.equal(new Set(ids).size, 250);
  countries.forEach((c, i) => idOf.set(c.cca3, ids[i]));
  const local = await master.page.evaluate(async () => (await document.getElementById('db').allDocs()).data.total_rows);
  assert.equal(local, 250);
  const fr = await master.page.evaluate((id) => document.getElementById('db').get(id), idOf.get('FRA'));
  assert.deepEqual(fr, countries.find((c) => c.cca3 === 'FRA'));
});

test('queries from the slave match an independent computation', async () => {
  await checkQueries(slave.page, 'slave');
});

test('errors reach the slave with jIO status codes, and the channel stays usable', async () => {
  const codes = await slave.page.evaluate(async () => {
    const db = document.getElementById('db');
    const code = (p) => p.then(() => 'resolved', (e) => e.status_code);
    return [await code(db.get('no-such-id')), await code(db.allDocs({ query: 'a:(' })), await code(db.put('', {}))];
  });
  assert.deepEqual(codes, [404, 400, 400]);
  const { result } = await allDocs(slave.page, { query: 'cca2:"DE"' });
  assert.equal(result.data.rows.length, 1);
});

/**
 * Arranges for `method(...args)` to be called on the slave's element the moment it notices that
 * the master is gone (its state turns `connecting`), so the request really leaves while the
 * master is away (that state now lasts well under a second: polling for it could miss it).
 * @returns a function that awaits the call's result.
 */
async function callWhenMasterGone(page, method, args) {
  await page.evaluate(([m, a]) => {
    window.__whenGone = new Promise((resolve, reject) => {
      const db = document.getElementById('db');
      const timer = setTimeout(() => reject(new Error('the slave never noticed the master leaving')), 15000);
      db.addEventListener('rtc-state-change', function away(e) {
        if (e.detail.state !== 'connecting') return;
        db.removeEventListener('rtc-state-change', away);
        clearTimeout(timer);
        db[m](...a).then(resolve, reject);
      });
    });
    window.__whenGone.catch(() => {});
  }, [method, args]);
  return () => page.evaluate(() => window.__whenGone);
}

test('after the master page reloads, data persists and the slave reconnects and re-sends', async () => {
  // Reload the master and, while it is away, ask the slave for a document.
  const pending = await callWhenMasterGone(slave.page, 'get', [idOf.get('JPN')]);
  await master.page.reload();
  await master.page.waitForSelector('rtc-master[state="connected"]', { timeout: 10000 });
  const local = await master.page.evaluate(async () => (await document.getElementById('db').allDocs()).data.total_rows);
  assert.equal(local, 250);
  const t0 = Date.now();
  await slave.page.waitForSelector('rtc-slave[state="connected"]', { timeout: 20000 });
  console.log(`# slave reconnected ${Date.now() - t0} ms after the reloaded master joined`);
  assert.deepEqual(await pending(), countries.find((c) => c.cca3 === 'JPN'));
  // Reconnected: the loss is over, and no stale "Last error" is left on the element.
  assert.equal(await slave.page.evaluate(() => document.getElementById('db').lastError), null);
  await checkQueries(slave.page, 'slave after master reload');
});

test('a write re-sent across a master reload is applied once', async () => {
  const before = await master.page.evaluate(async () => (await document.getElementById('db').allDocs()).data.total_rows);
  const posted = await callWhenMasterGone(slave.page, 'post', [{ common: 'Atlantis', region: 'Nowhere' }]);
  await master.page.reload();
  await slave.page.waitForSelector('rtc-slave[state="connected"]', { timeout: 20000 });
  const id = await posted();
  const after = await master.page.evaluate(async () => (await document.getElementById('db').allDocs({ query: 'common:Atlantis' })).data.rows);
  assert.deepEqual(after.map((r) => r.id), [id]);
  const total = await master.page.evaluate(async () => (await document.getElementById('db').allDocs()).data.total_rows);
  assert.equal(total, before + 1);
  await slave.page.evaluate((i) => document.getElementById('db').remove(i), id);
});

test('a second slave sees the first slave\'s records', async () => {
  const second = await openConnected(browser, `${broadcaster.lanOrigin}/demo/slave.html`, 'rtc-slave');
  await checkQueries(second.page, 'second slave');
  const peers = await master.page.evaluate(() => document.getElementById('db').peers.filter((p) => p.state === 'connected').length);
  assert.equal(peers, 2);
  await second.context.close();
});

test('the query form creates and finds records as a person would', async () => {
  const page = slave.page;
  const form = page.locator('rtc-query-form');
  await form.getByRole('textbox', { name: 'first' }).fill('Ada');
  await form.getByRole('textbox', { name: 'last' }).fill('Lovelace');
  await form.getByRole('button', { name: 'Add record' }).click();
  await form.getByText(/Created record/).waitFor();
  await form.getByRole('searchbox', { name: 'Search' }).fill('lovelace');
  await form.getByRole('button', { name: 'Search' }).click();
  await form.locator('tbody tr').first().waitFor();
  await page.waitForFunction(() => {
    const rows = document.querySelector('rtc-query-form').shadowRoot.querySelectorAll('tbody tr');
    return rows.length === 1 && rows[0].textContent.includes('Ada');
  });
  // The master sees it too, through its own form.
  const mform = master.page.locator('rtc-query-form');
  await mform.getByRole('searchbox', { name: 'Search' }).fill('first:Ada');
  await mform.getByRole('button', { name: 'Search' }).click();
  await master.page.waitForFunction(() => {
    const rows = document.querySelector('rtc-query-form').shadowRoot.querySelectorAll('tbody tr');
    return rows.length === 1 && rows[0].textContent.includes('Lovelace');
  });
  assert.deepEqual(slave.errors.filter((e) => !/Lost the master|reconnecting/.test(e.message)), []);
});
