// The self-contained bundle that demo pages and no-build pages load: lit and idb inside,
// registers every tag. The npm build itself stays unbundled ES modules (tsc → dist/gadgets).
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

export default {
  input: 'dist/gadgets/define.js',
  output: {
    file: 'dist/rtc-gadgets.js',
    format: 'es',
    sourcemap: true,
  },
  onwarn(warning, warn) {
    // tsc's decorator helper tests `this` at module level, which is undefined in ES modules: harmless.
    if (warning.code === 'THIS_IS_UNDEFINED') return;
    warn(warning);
  },
  plugins: [nodeResolve({ exportConditions: ['production'] }), terser({ format: { comments: false } })],
};
