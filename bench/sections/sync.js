// Sync with ERP5 (issue 13, README "Sync with ERP5"): jIO's replicate between an `rtc` master and a
// WebDAV remote (test/e2e/sat-link.js, test/e2e/replicate-page.js). The incremental sync of
// BENCH_SYNC_CHANGED documents changed out of BENCH_SYNC_DOCS, over the link shaped like a
// satellite link (tbf 400 kbit, 300 ms each way), against the JSON size of the changed documents
// (goal: bytes ≤ 2× that, and no full re-download); the first full sync of all the documents for
// reference, over the same remote with the shaping off (at 400 kbit and 600 ms a round trip it
// would take hours: jIO's replicate sends one GET and one PUT per document, and a page keeps six
// connections to a host). Run: BENCH_ONLY=sync npm run bench. The metrics take the shape run.js prints.
import { launchChromium } from '../../test/e2e/harness.js';
import { openMaster } from '../../test/e2e/replicate-page.js';
import { startSatelliteRemote } from '../../test/e2e/sat-link.js';
import { summary } from '../lib/stats.js';

const DOCS = Math.max(10, Number(process.env.BENCH_SYNC_DOCS ?? 20000) || 20000);
const CHANGED = Math.min(DOCS, Math.max(1, Number(process.env.BENCH_SYNC_CHANGED ?? 1000) || 1000));
// A field site pushes its readings up: the replicate's remote checks are off (README "Sync with ERP5").
const OPTIONS = { conflict_handling: 1, parallel_operation_amount: 6, check_remote_creation: false, check_remote_modification: false, check_remote_deletion: false };

/** A document as a field site records one (about 200 bytes of JSON). */
const record = (i, round) => ({ kind: 'reading', site: 'Field site 7', meter: `M-${String(i).padStart(5, '0')}`, value: (i * 37 + round) % 1000, unit: 'kWh', round, checked_by: 'A. Operator', note: `round ${round}` });

/** Writes documents [from, to) of `round` on the master; resolves to the JSON bytes written. */
function write(page, from, to, round) {
  return page.evaluate(async ([f, t, r, src]) => {
    const make = new Function(`return (${src})`)();
    const entries = [];
    for (let i = f; i < t; i++) entries.push({ id: `reading-${i}`, doc: make(i, r) });
    await document.getElementById('db').bulkPut(entries);
    return entries.reduce((n, e) => n + JSON.stringify(e.doc).length, 0);
  }, [from, to, round, record.toString()]);
}

const sync = (page) => page.evaluate(async () => {
  const r = await document.querySelector('rtc-replicate').sync();
  return { pushed: r.pushed, pulled: r.pulled, ms: r.ms, failure: r.failure ?? null };
});

const say = (text) => { if (process.env.BENCH_SYNC_VERBOSE) console.log(`sync: ${text}`); };

const total = (requests) => Object.values(requests).reduce((a, b) => a + b, 0);

/**
 * Runs the sync metrics with the bench's static server (`server.origin`).
 * @returns {Promise<object[]>} metrics `{ name, unit, goal, ours, baseline, baselineName, ratio, passed, notes }`
 */
export async function syncMetrics(server) {
  const remote = await startSatelliteRemote();
  const browser = await launchChromium();
  try {
    const spec = { database: `bench-sync-${Date.now()}`, remote: { type: 'webdav-json', url: `${remote.url}bench/`, timeout: 120000 }, options: OPTIONS };
    const { page } = await openMaster(browser, server, spec);
    say('page open');
    await write(page, 0, DOCS, 0);
    say(`${DOCS} written`);

    await remote.shape({ rate: null, delayMs: 0 });
    await remote.reset();
    const full = await sync(page);
    say(`full sync ${JSON.stringify(full)}`);
    const fullStats = await remote.stats();
    if (full.failure || full.pushed !== DOCS) throw new Error(`full sync: ${full.failure ?? `${full.pushed} of ${DOCS} pushed`}`);

    await remote.shape({});
    const changedBytes = await write(page, 0, CHANGED, 1);
    await remote.reset();
    const inc = await sync(page);
    const incStats = await remote.stats();
    if (inc.failure || inc.pushed !== CHANGED) throw new Error(`incremental sync: ${inc.failure ?? `${inc.pushed} of ${CHANGED} pushed`}`);
    const bytes = incStats.up + incStats.down;
    const link = `${remote.qdisc.replace(/^qdisc /, '')}, 300 ms each way`;
    return [
      {
        name: `sync incremental ${CHANGED}/${DOCS} bytes`, unit: 'B', goal: '≤ 2× the changed JSON',
        ours: summary([bytes]), baseline: summary([changedBytes]), baselineName: 'JSON of the changed documents', ratio: bytes / changedBytes, passed: bytes <= 2 * changedBytes,
        notes: [`${incStats.up} B up, ${incStats.down} B down, requests ${JSON.stringify(incStats.requests)}; link ${link}`],
      },
      {
        name: `sync incremental ${CHANGED}/${DOCS} no full re-download`, unit: 'requests', goal: `≤ 2 per changed document, no GET of unchanged ones`,
        ours: summary([total(incStats.requests)]), baseline: summary([2 * CHANGED]), baselineName: 'two per changed document', ratio: total(incStats.requests) / (2 * CHANGED),
        passed: (incStats.requests.GET ?? 0) <= CHANGED && total(incStats.requests) <= 2 * CHANGED + 2,
        notes: [`${(inc.ms / 1000).toFixed(1)} s over the shaped link`],
      },
      {
        name: `sync full ${DOCS} (reference, unshaped)`, unit: 'ms', goal: 'reference',
        ours: summary([full.ms]), baseline: summary([full.ms]), baselineName: 'itself', ratio: 1, passed: true,
        notes: [`${fullStats.up} B up, ${fullStats.down} B down, requests ${JSON.stringify(fullStats.requests)}; ${(DOCS / (full.ms / 1000)).toFixed(0)} documents/s`],
      },
    ];
  } finally {
    await Promise.allSettled([browser.close(), remote.close()]);
  }
}
