// A remote jIO storage behind a link shaped like a satellite IP link, for the replication test and
// the sync bench. Inside the test namespace (scripts/in-netns.sh, root) the remote runs in a network
// namespace of its own, joined to ours by a veth pair `sat0` (here, 10.214.0.1) / `sat1` (there,
// 10.214.0.2): lan0 and lan1 of in-netns.sh are both in our namespace, so traffic between them goes
// through `lo` and never through a qdisc. Each end of the pair gets `tc qdisc … tbf rate 400kbit`
// and the remote's TCP proxy adds 300 ms each way (test/e2e/sat-remote.js; netem is not in this
// kernel). Outside a namespace it runs here on 127.0.0.1 with the delay and no rate limit.
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = fileURLToPath(new URL('sat-remote.js', import.meta.url));
const inNamespace = process.env.RTC_IN_NETNS === '1';
let count = 0;

/** `tc qdisc replace dev <dev> root tbf …` for `rate`; `burst` and `latency` as a modem buffer. */
const tbf = (rate) => ['root', 'tbf', 'rate', rate, 'burst', '16kbit', 'latency', '2s'];

/**
 * Starts the remote (WebDAV behind the delaying proxy) beyond the shaped link.
 * @param {{ rate?: string, delayMs?: number }} [options] tc's rate (default `400kbit`), delay each way in ms (default 300)
 * @returns {Promise<{ url: string, shaped: boolean, qdisc: string, stats(): Promise<{requests: Record<string, number>, up: number, down: number}>,
 *   reset(): Promise<void>, cut(): Promise<void>, restore(): Promise<void>, close(): Promise<void> }>}
 *   `url` is the WebDAV root (`http://10.214.0.2:8080/`); `cut` drops every connection and takes the
 *   link down (`ip link set sat0 down`), `restore` brings it back; `shape({ rate, delayMs })` changes
 *   the shaping of both ends (`rate` null: no tbf).
 */
export async function startSatelliteRemote({ rate = '400kbit', delayMs = 300 } = {}) {
  const n = count++;
  const [here, there] = [`sat${n}a`, `sat${n}b`];
  const [hereIp, thereIp] = [`10.214.${n}.1`, `10.214.${n}.2`];
  const env = { ...process.env, DELAY_MS: String(delayMs), HOST: inNamespace ? thereIp : '127.0.0.1', PORT: inNamespace ? '8080' : '0' };
  // The wait gives up after 10 s, should this process die before it adds the veth pair.
  const setup = `ip link set lo up && i=0 && while ! ip link show ${there} >/dev/null 2>&1; do i=$((i+1)); [ $i -lt 200 ] || exit 1; sleep 0.05; done &&
    ip addr add ${thereIp}/24 dev ${there} && ip link set ${there} up && tc qdisc replace dev ${there} ${tbf(rate).join(' ')} &&
    exec "$0" "$1"`;
  const child = inNamespace
    ? spawn('unshare', ['-n', 'sh', '-c', setup, process.execPath, script], { cwd: root, env, stdio: ['pipe', 'pipe', 'inherit'] })
    : spawn(process.execPath, [script], { cwd: root, env, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (inNamespace) {
    // `unshare` execs sh in the new namespace with the same pid: the other end goes there.
    execFileSync('ip', ['link', 'add', here, 'type', 'veth', 'peer', 'name', there, 'netns', String(child.pid)]);
    execFileSync('ip', ['addr', 'add', `${hereIp}/24`, 'dev', here]);
    execFileSync('ip', ['link', 'set', here, 'up']);
    execFileSync('tc', ['qdisc', 'replace', 'dev', here, ...tbf(rate)]);
  }
  const waiting = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => waiting.shift()?.(JSON.parse(line)));
  const next = () => new Promise((resolve, reject) => {
    waiting.push(resolve);
    exited.then(() => reject(new Error('the satellite remote exited')));
  });
  const ready = await Promise.race([next(), new Promise((_, reject) => setTimeout(() => reject(new Error('the satellite remote did not start')), 15000))]);
  const ask = async (command) => {
    const answer = next();
    child.stdin.write(`${command}\n`);
    return answer;
  };
  return {
    url: `http://${inNamespace ? thereIp : '127.0.0.1'}:${ready.port}/`,
    shaped: inNamespace,
    qdisc: inNamespace ? execFileSync('tc', ['qdisc', 'show', 'dev', here], { encoding: 'utf8' }).trim() : 'none (not in a network namespace)',
    async stats() {
      return (await ask('stats')).stats;
    },
    async reset() {
      await ask('reset');
    },
    async cut() {
      await ask('cut');
      if (!inNamespace) return;
      // Let the resets reach the browser, then take the link down. Without its route the packets
      // would follow the default route and vanish (a connect would hang for minutes): an
      // `unreachable` route fails them at once, as a modem without carrier does.
      await new Promise((r) => setTimeout(r, 200));
      execFileSync('ip', ['link', 'set', here, 'down']);
      execFileSync('ip', ['route', 'add', 'unreachable', `${thereIp}/32`]);
    },
    async restore() {
      if (inNamespace) {
        execFileSync('ip', ['route', 'del', 'unreachable', `${thereIp}/32`]);
        execFileSync('ip', ['link', 'set', here, 'up']);
      }
      await ask('restore');
    },
    async shape({ rate: newRate = rate, delayMs: newDelay = delayMs } = {}) {
      await ask(`delay ${newDelay}`);
      if (!inNamespace) return;
      const qdisc = newRate ? ['replace', 'dev', here, ...tbf(newRate)] : ['del', 'dev', here, 'root'];
      try {
        execFileSync('tc', ['qdisc', ...qdisc], { stdio: 'ignore' });
        execFileSync('nsenter', ['-t', String(child.pid), '-n', 'tc', 'qdisc', ...qdisc.map((x) => (x === here ? there : x))], { stdio: 'ignore' });
      } catch { /* no qdisc to delete */ }
    },
    async close() {
      child.stdin.end();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      // The veth pair goes with the namespace; delete our end in case it outlived it.
      if (inNamespace) try { execFileSync('ip', ['link', 'del', here], { stdio: 'ignore' }); } catch { /* already gone */ }
    },
  };
}
