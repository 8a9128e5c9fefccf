// The broadcaster under a malformed-frame flood (issue 14 item 4; README "Threat model: the
// broadcaster"): a legitimate signaling handshake (open, join, offer relayed, answer relayed) timed
// while one client floods from another address, against the same handshake on the idle broadcaster
// in the same run. A broadcaster process of its own, so that the flooder's ban touches nothing else.
// Uses test/broadcaster/flood-harness.js (the flood the CI test asserts on).
import { handshake, probe, spawnBroadcaster, startFlooder, startMaster } from '../../test/broadcaster/flood-harness.js';
import { fmt, summary } from '../lib/stats.js';

const HANDSHAKES = 100;
const FLOOD_MS = 5000;
const GOAL_MS = 100;

/**
 * `broadcaster flood`: handshake p95 during the flood ≤ 100 ms; the ratio printed is p95 during /
 * p95 idle. Takes the bench context for symmetry with the other metrics, and uses none of it.
 * @returns {Promise<object>} a metric record as bench/run.js prints it.
 */
export async function broadcasterFloodMetric() {
  const server = await spawnBroadcaster();
  const master = await startMaster(server.port, 'bench-flood');
  try {
    for (let i = 0; i < 10; i++) await handshake(server.port, 'bench-flood'); // warm-up
    const idle = await probe(server.port, 'bench-flood', HANDSHAKES);
    const flooder = startFlooder({ port: server.port, seed: 1404 });
    let during;
    try {
      during = await probe(server.port, 'bench-flood', HANDSHAKES, 20, FLOOD_MS);
    } finally {
      await flooder.stop();
    }
    const ours = summary(during);
    const baseline = summary(idle);
    const s = flooder.stats;
    return {
      name: 'broadcaster flood',
      unit: 'ms',
      goal: `p95 ≤ ${GOAL_MS} ms`,
      ours,
      baseline,
      baselineName: 'idle',
      ratio: ours.p95 / baseline.p95,
      passed: ours.p95 <= GOAL_MS,
      samples: { ours: during, baseline: idle },
      notes: [
        `ratio is p95 during / p95 idle; ${during.length} handshakes over ${FLOOD_MS / 1000} s, max ${fmt(ours.max)} ms`,
        `flooder: ${(s.bytes / 2 ** 20).toFixed(1)} MiB of malformed frames written, ${s.upgraded} sockets upgraded, ${s.closed1008} closed with 1008, ${s.cutBeforeAnswer} connections cut by the ban`,
      ],
    };
  } finally {
    master.terminate();
    await server.stop();
  }
}
