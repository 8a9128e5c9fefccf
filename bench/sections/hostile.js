// Bench section of issue 14 item 8: another slave's `get` p95 while one slave attacks, against the
// same slave's p95 at idle, measured in the same run (README "Threat model and limits"). The pages are
// those of test/e2e/hostile-slave.test.js: a master with a room secret, a legitimate slave reading in
// a loop, and the raw hostile page (test/e2e/hostile-page.js) as a persistent attacker that joins
// again each time it is disconnected. Three attacks: a garbage flood, a request flood (4,000 gets
// pipelined, again and again), an expensive query (two 350-term ORs over 5,000 documents, again
// and again). Goal: p95 under attack ≤ idle p95 + 10 ms.
import { openLegitSlave, openMaster, openRaw, SECRET, startProbe, stopProbe } from '../../test/e2e/hostile-pages.js';
import { fmt, summary } from '../lib/stats.js';

const ROOM = 'bench-hostile';
const DOCS = 5000;
const ATTACK_MS = 6000;
const IDLE_MS = 4000;
const ids = Array.from({ length: 200 }, (_, k) => `doc-${k * 25}`);

/** The legit slave's gets during `ms` (with `during` running in the raw page, if given). */
async function probe(slave, ms, during) {
  await slave.page.evaluate(startProbe, ids);
  const [result] = await Promise.all([
    during ? during() : new Promise((r) => setTimeout(() => r(null), ms)),
    new Promise((r) => setTimeout(r, ms)),
  ]);
  const { times, errors } = await slave.page.evaluate(stopProbe);
  return { times, errors, result };
}

/**
 * The metrics: `hostile <attack>` per attack, each `{ name, unit, goal, ours, baseline, ratio, passed, line }`.
 * @param ctx the bench's context with `browser` and `broadcaster` (test/e2e/harness.js startBroadcaster).
 */
export async function hostileMetrics({ browser, broadcaster }, wanted = () => true) {
  const pages = [];
  try {
    const master = await openMaster(broadcaster, browser, ROOM);
    pages.push(master);
    await master.page.evaluate(async (n) => {
      const db = document.getElementById('db');
      await db.bulkPut(Array.from({ length: n }, (_, k) => ({ id: `doc-${k}`, doc: { k, title: `document ${k}` } })));
    }, DOCS);
    const slave = await openLegitSlave(broadcaster, browser, ROOM);
    pages.push(slave);
    const raw = await openRaw(broadcaster, browser);
    pages.push(raw);
    const signal = `ws://127.0.0.1:${broadcaster.port}/signal`;
    await probe(slave, 1000); // warm-up
    const out = [];
    for (const [name, kind] of [['hostile garbage flood', 'garbage'], ['hostile request flood', 'requests'], ['hostile expensive query', 'query']]) {
      if (!wanted(name)) continue;
      const idle = await probe(slave, IDLE_MS);
      const attacked = await probe(slave, ATTACK_MS, () => raw.page.evaluate(
        (a) => window.H.attack(a.kind, a),
        { kind, signal, room: ROOM, secret: SECRET, ms: ATTACK_MS, ids },
      ));
      const o = summary(attacked.times);
      const b = summary(idle.times);
      const r = attacked.result;
      const passed = attacked.errors.length === 0 && o.p95 <= b.p95 + 10;
      out.push({
        name,
        unit: 'ms',
        goal: '≤ idle p95 + 10 ms',
        baselineName: 'idle',
        ours: o,
        baseline: b,
        ratio: o.p95 / b.p95,
        passed,
        attack: r,
        errors: attacked.errors.slice(0, 5),
        line: `get p95 ${fmt(o.p95)} ms under attack vs ${fmt(b.p95)} ms idle (+${fmt(o.p95 - b.p95)} ms; ${o.n} and ${b.n} gets)`.padEnd(81),
        notes: [`attacker: ${r.joins} join(s), ${r.sent} messages sent, ${r.answers} answered, ${r.refused} refused${attacked.errors.length ? `; legit errors: ${attacked.errors[0]}` : ''}`],
      });
    }
    return out;
  } finally {
    for (const p of pages) await p.context.close().catch(() => {});
  }
}
