// custom-elements.json (written by `npm run build`, custom-elements-manifest.config.mjs) describes
// what the package ships: every registered element, its `rtc-` events (every JSDoc `@fires`) and
// paths of files that exist in dist/.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path) => readFileSync(`${root}/${path}`, 'utf8');
const manifest = JSON.parse(read('custom-elements.json'));

/** The tags gadgets/define.ts registers: `['rtc-master', RtcMaster]` → ['rtc-master', 'RtcMaster']. */
const registered = [...read('gadgets/define.ts').matchAll(/\['(rtc-[a-z-]+)', (\w+)\]/g)].map(([, tag, name]) => [tag, name]);

/** Every class declaration with its module path. */
const declarations = manifest.modules.flatMap((m) => (m.declarations ?? []).map((d) => ({ ...d, path: m.path })));

/** Every `module` and `path` value anywhere in the manifest. */
function paths(value, found = []) {
  if (Array.isArray(value)) value.forEach((v) => paths(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if ((key === 'path' || key === 'module') && typeof child === 'string') found.push(child);
      else paths(child, found);
    }
  }
  return found;
}

test('define.ts registers the ten elements (rtc-offline: README "Pages that work offline"; rtc-site: "Serve a site from the master")', () => {
  assert.deepEqual(registered.map(([tag]) => tag).sort(), ['rtc-backup', 'rtc-chat', 'rtc-file-share', 'rtc-master', 'rtc-offline', 'rtc-query-form', 'rtc-replicate', 'rtc-site', 'rtc-slave', 'rtc-status']);
});

test('every registered element is a custom element of the manifest, in a module that declares its HTMLElementTagNameMap entry', () => {
  for (const [tag, name] of registered) {
    const element = declarations.find((d) => d.tagName === tag);
    assert.ok(element, `${tag} is in custom-elements.json`);
    assert.equal(element.name, name);
    assert.equal(element.customElement, true, tag);
    const types = read(element.path.replace(/\.js$/, '.d.ts'));
    assert.match(types, new RegExp(`interface HTMLElementTagNameMap \\{\\s*'${tag}': ${name};`), `${element.path} declares '${tag}'`);
  }
});

test('every event of an element has an rtc- name, once per element; other event targets name theirs', () => {
  const elements = new Set(declarations.filter((d) => d.customElement).flatMap((d) => [d.name, d.superclass?.name]));
  assert.ok(elements.has('DatabaseElement'));
  for (const declaration of declarations) {
    const names = (declaration.events ?? []).map((e) => e.name);
    const pattern = elements.has(declaration.name) ? /^rtc-[a-z]+(-[a-z]+)*$/ : /^[a-z]+(-[a-z]+)*$/;
    for (const name of names) assert.match(String(name), pattern, `${declaration.name} fires ${JSON.stringify(name)}`);
    assert.equal(new Set(names).size, names.length, `${declaration.name}: ${names}`);
  }
});

test('every @fires of an element is listed, rtc-bulk-progress and rtc-progress on both database elements', () => {
  for (const [tag, name] of registered) {
    const element = declarations.find((d) => d.tagName === tag);
    const source = read(element.path.replace(/^dist\/(.*)\.js$/, '$1.ts'));
    const fires = [...source.matchAll(/@fires (rtc-[a-z-]+)/g)].map(([, event]) => event);
    const listed = element.events?.map((e) => e.name) ?? [];
    for (const event of fires) assert.ok(listed.includes(event), `${name} lists ${event}`);
  }
  for (const tag of ['rtc-master', 'rtc-slave']) {
    const listed = declarations.find((d) => d.tagName === tag).events.map((e) => e.name);
    for (const event of ['rtc-state-change', 'rtc-error', 'rtc-progress', 'rtc-bulk-progress']) assert.ok(listed.includes(event), `${tag} lists ${event}`);
  }
});

test('every path points at a shipped file of dist/ that exists after the build', () => {
  const all = [...new Set(paths(manifest.modules))];
  assert.ok(all.length > 10);
  for (const path of all) {
    assert.match(path, /^dist\/gadgets\/.+\.js$/, path);
    assert.ok(existsSync(`${root}/${path}`), `${path} exists (run npm run build first)`);
  }
});

test('both database elements list every method of the method table, once', async () => {
  const { ALL_METHODS } = await import('../../dist/gadgets/methods.js');
  for (const tag of ['rtc-master', 'rtc-slave']) {
    const methods = declarations.find((d) => d.tagName === tag).members.filter((m) => m.kind === 'method').map((m) => m.name);
    for (const name of ALL_METHODS) assert.ok(methods.includes(name), `${tag} lists ${name}`);
    assert.equal(new Set(methods).size, methods.length, `${tag}: ${methods}`);
  }
});
