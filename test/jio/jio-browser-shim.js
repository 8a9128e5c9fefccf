/**
 * Runs jIO's Node build (node_modules/jio/dist/jio-latest-node.js, the only jIO on npm) in a browser
 * page, for the tests: jIO is GPL and never bundled, so a test page gets it from here and sets the
 * `jIO` and `RSVP` globals an ERP5 page has (docs/jio-storage.md "Tests").
 *
 * The Node build is the browser jIO plus a Node compatibility layer: CommonJS wrappers, a Blob and
 * FileReader on Node's Buffer, an XMLHttpRequest on Node's http. The shim gives it the browser's own
 * instead, so jIO's storages (query, uuid, document, dav, replicate…) run unchanged on native Blob,
 * FileReader and XMLHttpRequest, as jio.js does in ERP5:
 * - `require` answers the four Node modules of the bundled XHR polyfill with empty objects (that
 *   polyfill is defined, then left unused; `os` names the platform for its user agent string),
 *   `process` only has the `versions` it reads, and `global` is an object of its own;
 * - the compatibility layer's `window` starts with the page's Blob, FileReader, atob and btoa, and
 *   keeps them (one line of the layer overwrote `Blob` unconditionally);
 * - the Node build's ajax wrapper sets `xhr.response` (writable in the polyfill, a getter in
 *   browsers): the XMLHttpRequest it sees is the page's, with `response` made writable.
 *
 * @param {string} source the text of jio-latest-node.js
 * @returns {string} a classic script that sets `window.jIO` and `window.RSVP`
 */
export function browserJioScript(source) {
  /** @type {[RegExp, string][]} */
  const edits = [
    [/^( *window = )\{\},$/m, '$1{ Blob: self.Blob, FileReader: self.FileReader, atob: self.atob.bind(self), btoa: self.btoa.bind(self) },'],
    [/window\.Blob = Blob;\/\/window\.Blob \|\| Blob;/, 'window.Blob = window.Blob || Blob;'],
  ];
  let patched = source;
  for (const [pattern, replacement] of edits) {
    if (!pattern.test(patched)) throw new Error(`jio-browser-shim: ${pattern} is not in jio-latest-node.js (not the 3.x Node build it knows): ${JSON.stringify(patched.slice(0, 200))}`);
    patched = patched.replace(pattern, replacement);
  }
  return `(function () {
  var module = { exports: {} };
  function require(name) {
    if (name === 'os') return { type: function () { return 'Browser'; }, arch: function () { return ''; } };
    if (['http', 'https', 'url'].indexOf(name) !== -1) return {};
    throw new Error('jio-browser-shim: no module ' + name);
  }
  class WritableResponseXHR extends XMLHttpRequest {
    get response() { return this.__response !== undefined ? this.__response : super.response; }
    set response(value) { this.__response = value; }
  }
  (function (module, exports, require, global, process, XMLHttpRequest) {
${patched}
  }).call(self, module, module.exports, require, {}, { versions: { node: 'none' } }, WritableResponseXHR);
  self.jIO = module.exports;
  self.RSVP = self.RSVP || module.exports.node_env.RSVP;
})();
`;
}
