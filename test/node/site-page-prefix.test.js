// withPagePrefix (gadgets/site/sw/page-prefix.ts): HTML pages served by the Service Worker path get a
// prefix (the <rtc-site> bridge), whole and in ranges, with the prefixed size; other files untouched.
// The source is DatabaseSiteSource over an in-memory database of two attachments.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const { withPagePrefix } = await import(new URL('../../dist/gadgets/site/sw/page-prefix.js', import.meta.url).href);
const { DatabaseSiteSource } = await import(new URL('../../dist/gadgets/site/file-source.js', import.meta.url).href);

const files = {
  'index.html': new Blob(['<h1>Hello</h1>'], { type: 'text/html' }),
  'a.css': new Blob(['body{}'], { type: 'text/css' }),
};
const reads = [];
const db = {
  allAttachments: async () => Object.fromEntries(Object.entries(files).map(([n, b]) => [n, { content_type: b.type, length: b.size }])),
  getAttachment: async (_id, name, { start = 0, end } = {}) => {
    reads.push([name, start, end]);
    return files[name].slice(start, end);
  },
};

test('a first read past the end of a page still gives the whole page to later reads', async () => {
  const source = withPagePrefix(new DatabaseSiteSource(db, 'site'), () => '<!--x-->');
  assert.equal((await source.read('index.html', [100, 200])).status, 416);
  assert.equal(await (await source.read('index.html')).body.text(), '<!--x--><h1>Hello</h1>');
});

test('an HTML page gets its prefix, whole and in ranges; other files and 404s pass through', async () => {
  reads.length = 0;
  const source = withPagePrefix(new DatabaseSiteSource(db, 'site'), (path) => `<!--${path}-->`);
  const prefixed = '<!--index.html--><h1>Hello</h1>';
  const whole = await source.read('index.html');
  assert.equal(whole.status, 200);
  assert.equal(whole.size, prefixed.length);
  assert.equal(await whole.body.text(), prefixed);
  const part = await source.read('index.html', [4, 14]);
  assert.deepEqual([part.status, part.range, part.size, await part.body.text()], [206, [4, 14], prefixed.length, prefixed.slice(4, 14)]);
  const tail = await source.read('index.html', [20, 1000]);
  assert.deepEqual([tail.status, tail.range, await tail.body.text()], [206, [20, prefixed.length], prefixed.slice(20)]);
  assert.equal((await source.read('index.html', [prefixed.length, prefixed.length + 5])).status, 416);
  const css = await source.read('a.css', [0, 3]);
  assert.deepEqual([css.status, css.size, await css.body.text()], [206, 6, 'bod']);
  assert.equal((await source.read('nope.html')).status, 404);
  // The page was read whole once for all its ranges.
  assert.equal(reads.filter(([n, s, e]) => n === 'index.html' && s === 0 && e === undefined).length, 1);
});
