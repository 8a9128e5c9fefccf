// `npm start`: builds what is missing (fresh clone), then runs the broadcaster with the demo on
// the default port. Extra arguments go to the broadcaster (`npm start -- --port 8080`).
import { existsSync } from 'node:fs';
import { execSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const needed = ['dist/rtc-gadgets.js', 'dist/broadcaster/cli.js', 'dist/gadgets/define.js'];
if (needed.some((f) => !existsSync(new URL(`../${f}`, import.meta.url)))) {
  console.log('Building (first run)…');
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}
const child = spawn(process.execPath, ['bin/rtc-broadcaster.js', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
