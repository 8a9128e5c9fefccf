// The self-contained bundles that demo pages, no-build pages and RenderJS/ERP5 pages load: lit and idb
// inside, every tag registered (guarded). The npm build itself stays unbundled ES modules (tsc →
// dist/gadgets).
//
// 1. dist/rtc-gadgets.js: one ES module (`<script type="module">`).
// 2. dist/rtc-gadgets.iife.js: the same as one classic script, for RenderJS pages (RenderJS ignores
//    module scripts, jio.md §5.1). It sets exactly one global, `RtcGadgets` (the exports of
//    gadgets/index.ts), and never reads or writes RSVP, rJS or jIO. The whole script is skipped when
//    `RtcGadgets` already exists, so loading it twice keeps one namespace and one set of classes.
//    Copies of it sit beside the RenderJS wrapper gadgets:
//    - dist/renderjs/: the wrappers (renderjs/*) and the bundle, what an ERP5 integrator serves
//      next to ERP5's own rsvp.js and renderjs.js;
//    - dist/renderjs-harness/: the same plus the test harness's rsvp.js and renderjs.js
//      (test/renderjs/harness/, NOT RenderJS), a stand-in ERP5 folder for demo/erp5.html and the
//      tests. Never copy that folder into an ERP5 site.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { offlineWorker } from './scripts/offline-worker.js';

function onwarn(warning, warn) {
  // tsc's decorator helper tests `this` at module level, which is undefined in ES modules: harmless.
  if (warning.code === 'THIS_IS_UNDEFINED') return;
  // @scure/base explains its /* @__PURE__ */ annotations in a comment that rollup reads as a
  // misplaced one and drops: the annotations themselves are kept.
  if (warning.code === 'INVALID_ANNOTATION' && /@scure[\\/]base/.test(warning.id ?? '')) return;
  warn(warning);
}

// Every dependency ships ES modules: no CommonJS plugin.
const plugins = () => [nodeResolve({ exportConditions: ['production'] }), terser({ format: { comments: false } })];

/** The IIFE's entry: register the tags, export what gadgets/index.ts exports. */
const IIFE_ENTRY = '\0rtc-gadgets-iife-entry';
const iifeEntry = {
  name: 'rtc-gadgets-iife-entry',
  resolveId: (id) => (id === IIFE_ENTRY ? id : null),
  load(id) {
    if (id !== IIFE_ENTRY) return null;
    const define = JSON.stringify(path.resolve('dist/gadgets/define.js'));
    const index = JSON.stringify(path.resolve('dist/gadgets/index.js'));
    return `import ${define};\nexport * from ${index};\n`;
  },
};

/** An output plugin that writes `files` (paths from the package root) beside the output file. */
function copyBeside(files) {
  return {
    name: 'copy-beside',
    generateBundle() {
      for (const file of files) {
        this.emitFile({ type: 'asset', fileName: path.basename(file), source: readFileSync(file) });
      }
    },
  };
}

const wrappers = readdirSync('renderjs')
  .filter((f) => /\.(html|js)$/.test(f))
  .sort()
  .map((f) => `renderjs/${f}`);
const harness = ['test/renderjs/harness/rsvp.js', 'test/renderjs/harness/renderjs.js'];

const iifeOutput = (file, extra = []) => ({
  file,
  format: 'iife',
  name: 'RtcGadgets',
  // An IIFE is one script: it cannot load chunks, so the translations go inside (see above).
  inlineDynamicImports: true,
  sourcemap: true,
  // Skip everything when a copy already ran in this window (public sandboxes share one window).
  banner: 'if (!globalThis.RtcGadgets) {',
  footer: '}',
  plugins: extra,
});

// The Service Worker path of <rtc-site> (docs/site.md): the Service Worker and the relay page that
// registers it, classic scripts beside each other in dist/ (a module Service Worker is not everywhere).
const RELAY_HTML = '<!doctype html><meta charset="utf-8"><title>rtc-site relay</title>'
  + '<script src="rtc-site-relay.js"></script>\n';
const relayPage = { name: 'relay-page', generateBundle() { this.emitFile({ type: 'asset', fileName: 'rtc-site-relay.html', source: RELAY_HTML }); } };
const siteSw = (input, file, extra = []) => ({ input, output: { file, format: 'iife', sourcemap: true, plugins: extra }, onwarn, plugins: plugins() });

export default [
  siteSw('dist/gadgets/site/sw/worker.js', 'dist/rtc-site-sw.js'),
  siteSw('dist/gadgets/site/sw/relay.js', 'dist/rtc-site-relay.js', [relayPage]),
  {
    input: 'dist/gadgets/define.js',
    output: {
      file: 'dist/rtc-gadgets.js',
      format: 'es',
      sourcemap: true,
      // The translations (gadgets/locales/, ~9 kB gzipped for both) go inside: one file to serve
      // and to cache for offline use. The npm build keeps them as modules imported on demand.
      inlineDynamicImports: true,
    },
    onwarn,
    plugins: plugins(),
  },
  {
    input: IIFE_ENTRY,
    output: [
      iifeOutput('dist/rtc-gadgets.iife.js'),
      iifeOutput('dist/renderjs/rtc-gadgets.iife.js', [copyBeside(wrappers)]),
      iifeOutput('dist/renderjs-harness/rtc-gadgets.iife.js', [copyBeside([...wrappers, ...harness])]),
    ],
    onwarn,
    plugins: [iifeEntry, ...plugins()],
  },
  // 3. dist/offline/sw.js: the offline pages' Service Worker, a classic script stamped with the manifest
  //    of the files above (scripts/offline-worker.js), so it comes after them.
  {
    input: 'dist/gadgets/offline/sw.js',
    output: { file: 'dist/offline/sw.js', format: 'iife' },
    onwarn,
    plugins: [offlineWorker()],
  },
];
