// ESLint for the whole repository (`npm run lint`): the recommended rules of ESLint and
// typescript-eslint, and of eslint-plugin-lit and eslint-plugin-wc for the elements. Globals follow
// where each file runs: browser (gadgets, browser tests, bench pages), Node (broadcaster, node
// tests, bench runner, scripts), both (e2e tests, whose page.evaluate functions run in the page),
// or the globals named in `/*global */` comments (classic scripts: RenderJS wrappers, ERP5 demo).
import { defineConfig, globalIgnores } from 'eslint/config';
import { builtinRules } from 'eslint/use-at-your-own-risk';
import { configs as litConfigs } from 'eslint-plugin-lit';
import { configs as wcConfigs } from 'eslint-plugin-wc';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * ESLint's own recommended rules, as `@eslint/js` lists them: the core rules whose docs say
 * `recommended`. (`@eslint/js` is not among the installed packages; ESLint 10 no longer depends on it.)
 */
const eslintRecommended = {
  name: 'eslint/recommended',
  rules: Object.fromEntries([...builtinRules].filter(([, rule]) => rule.meta?.docs?.recommended).map(([name]) => [name, 'error'])),
};

export default defineConfig(
  globalIgnores([
    'dist/**',
    'node_modules/**',
    'custom-elements.json',
    // a stand-in for RenderJS and RSVP, kept as vendored code
    'test/renderjs/harness/**',
  ]),
  eslintRecommended,
  tseslint.configs.recommended,
  {
    rules: {
      // `_`-prefixed names are deliberately unused (positional parameters, skipped tuple items)
      '@typescript-eslint/no-unused-vars': ['error', {
        argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none',
      }],
      // `try { … } catch {}` marks a best-effort step (closing what may be closed already)
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['gadgets/**/*.ts'],
    extends: [litConfigs['flat/recommended'], wcConfigs['flat/recommended']],
    settings: { wc: { elementBaseClasses: ['LitElement', 'DatabaseElement'] } },
  },
  {
    files: ['gadgets/**/*.ts', 'bench/pages/**/*.js', 'test/renderjs/**/*.ts'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['test/unit/**/*.ts', 'test/elements/**/*.ts', 'test/renderjs/**/*.ts'],
    languageOptions: { globals: { ...globals.browser, ...globals.mocha } },
    // chai's property assertions (`expect(x).to.exist`) are expressions by design
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    files: [
      'broadcaster/**/*.ts', 'test/broadcaster/**/*.js', 'test/node/**/*.js', 'test/e2e/**/*.js',
      'test/*.js', 'bench/run.js', 'bench/journal.js', 'bench/lib/**/*.js', 'bench/sections/**/*.js', 'scripts/**/*.js', 'bin/**/*.js', '*.js', '*.mjs',
    ],
    languageOptions: { globals: globals.node },
  },
  {
    // functions passed to page.evaluate run in the browser page
    files: ['test/e2e/**/*.js', 'bench/run.js', 'bench/journal.js', 'bench/sections/**/*.js'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    // classic ES5 scripts of the RenderJS wrappers and the ERP5 demo: each names the globals it uses
    // in a `/*global */` comment, and `var gadget = this` is how ES5 code keeps its gadget
    files: ['renderjs/**/*.js', 'demo/erp5.js'],
    languageOptions: { sourceType: 'script', globals: {} },
    rules: { '@typescript-eslint/no-this-alias': 'off' },
  },
);
