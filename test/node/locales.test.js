// The translations (README "Theme and languages"): every message extracted into locales/*.xlf has
// a target in each language, with the same placeholders as its source, and the generated modules
// (gadgets/locales/*.ts) hold one template per message. A string added to an element without a
// translation fails here once `npx lit-localize extract` has run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const config = JSON.parse(readFileSync('lit-localize.json', 'utf8'));

/** The trans-units of an XLIFF file: `{ id, source, target }` (target undefined when missing). */
function units(file) {
  const xml = readFileSync(file, 'utf8');
  return [...xml.matchAll(/<trans-unit id="([^"]+)">([\s\S]*?)<\/trans-unit>/g)].map(([, id, body]) => ({
    id,
    source: /<source>([\s\S]*?)<\/source>/.exec(body)?.[1],
    target: /<target>([\s\S]*?)<\/target>/.exec(body)?.[1],
  }));
}

const placeholders = (text) => [...text.matchAll(/<x id="(\d+)"/g)].map((m) => m[1]).sort();

for (const locale of config.targetLocales) {
  test(`${locale}: every message is translated, placeholders kept`, () => {
    const list = units(`${config.interchange.xliffDir}${locale}.xlf`);
    assert.ok(list.length > 200, `${list.length} messages`);
    for (const { id, source, target } of list) {
      assert.ok(target && target.trim() !== '', `${locale} ${id} has no translation: ${source}`);
      assert.deepEqual(placeholders(target), placeholders(source), `${locale} ${id}: placeholders differ`);
    }
    const module = readFileSync(`${config.output.outputDir}/${locale}.ts`, 'utf8');
    for (const { id } of list) assert.ok(module.includes(`'${id}'`), `${locale}.ts lacks ${id}: run npx lit-localize build`);
  });
}
