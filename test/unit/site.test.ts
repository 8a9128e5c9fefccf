// The blob path's pure parts (issue 17): resolving references inside a site, the CSS and module
// rewriters, a page rewritten from a real database's attachments, the server chooser and the history.
import { expect } from '@open-wc/testing';
import { resolveRef, splitHref } from '../../gadgets/site/resolve.js';
import { sitePath, DatabaseSiteSource } from '../../gadgets/site/file-source.js';
import { cssRefs, jsRefs, rewriteCss, rewriteJs } from '../../gadgets/site/rewrite-text.js';
import { rewritePage } from '../../gadgets/site/rewrite-html.js';
import { chooseSiteServer, type SiteServerFactory } from '../../gadgets/site/choose-server.js';
import { SiteHistory } from '../../gadgets/site/history.js';
import type { SiteServer } from '../../gadgets/site/types.js';
import { dropDatabase, freshDatabase } from './helpers.js';

describe('site paths', () => {
  it('resolves references from a page, never above the root, and tells other origins apart', () => {
    expect(resolveRef('../css/a.css?v=2#x', 'docs/guide.html')).to.deep.equal({ path: 'css/a.css', search: '?v=2', hash: '#x' });
    expect(resolveRef('../../../../etc/passwd', 'docs/guide.html')?.path).to.equal('etc/passwd');
    expect(resolveRef('%2e%2e/%2e%2e/x', 'a.html')?.path).to.equal('x');
    expect(resolveRef('/img/a.png', 'docs/guide.html')?.path).to.equal('img/a.png');
    expect(resolveRef('docs/', 'index.html')?.path).to.equal('docs/index.html');
    expect(resolveRef('..\\secret\\note.txt', 'a/b.html')?.path).to.equal('secret/note.txt');
    for (const outside of ['https://example.org/', '//evil.invalid/x', 'data:text/plain,hi', 'mailto:a@b.c', 'javascript:alert(1)', 'blob:http://x/y']) {
      expect(resolveRef(outside, 'index.html'), outside).to.equal(null);
    }
    expect(splitHref('prices.html?q=pump#t')).to.deep.equal({ path: 'prices.html', search: '?q=pump', hash: '#t' });
  });

  it('sitePath keeps raw paths inside the site: ../ past the root or bad encoding is null', () => {
    expect(sitePath('/a/./b/../c.html?x#y')).to.equal('a/c.html');
    expect(sitePath('../secret/note.txt')).to.equal(null);
    expect(sitePath('a/%2e%2e/%2e%2e/x')).to.equal(null);
    expect(sitePath('%E0%A4%A')).to.equal(null);
    expect(sitePath('')).to.equal('index.html');
  });
});

describe('CSS and module rewriting', () => {
  it('finds and replaces url() and @import, quoted or not, and leaves the unknown alone', () => {
    const css = `@import "theme.css"; @import url('print.css') print; body { background: url(img/a.png) } .b { src: url("f.woff2") format("woff2") } .c { background: url(data:image/png;base64,AA) }`;
    expect(cssRefs(css).sort()).to.deep.equal(['data:image/png;base64,AA', 'f.woff2', 'img/a.png', 'print.css', 'theme.css']);
    const out = rewriteCss(css, (ref) => (ref.startsWith('data:') ? undefined : `D(${ref.length})`));
    expect(out).to.contain('@import "D(9)"').and.contain('url("D(9)") print').and.contain('url("D(9)") }').and.contain('url("D(7)") format').and.contain('url(data:image/png;base64,AA)');
  });

  it('finds relative static imports, re-exports and import("literal"), not bare names', () => {
    const js = `import { a } from './a.js';\nimport b, * as c from "../b.js";\nimport './side.js';\nexport * from './d.js';\nexport { e } from '/e.js';\nimport lit from 'lit';\nconst m = await import('./lazy.js');\nimport(name);`;
    expect(jsRefs(js)).to.deep.equal(['./a.js', '../b.js', './side.js', './d.js', '/e.js', './lazy.js']);
    const out = rewriteJs(js, (s) => `X${s.length}`);
    expect(out).to.contain(`from 'X6'`).and.contain(`from "X7"`).and.contain(`import 'X9'`).and.contain(`export * from 'X6'`).and.contain(`import('X9')`).and.contain(`from 'lit'`);
  });
});

describe('rewritePage over a real database', () => {
  it('turns the resources of a page into data: URLs, leaves media to the bridge and puts the bridge first', async () => {
    const db = await freshDatabase();
    try {
      await db.put('site', {});
      const put = (name: string, body: string, type: string) => db.putAttachment('site', name, new Blob([body], { type }));
      await put('css/site.css', '@import "theme.css"; body { background: url(../img/dot.png) }', 'text/css');
      await put('css/theme.css', ':root { --x: 1 }', 'text/css');
      await put('img/dot.png', 'PNG!', 'image/png');
      await put('js/main.js', `import { f } from './f.js'; f();`, 'text/javascript');
      await put('js/f.js', 'export const f = () => 1;', 'text/javascript');
      await put('secret-other-doc.txt', 'not used', 'text/plain');
      const html = `<!doctype html><html><head><base href="../"><link rel="stylesheet" href="css/site.css"><script type="module" src="js/main.js"></script></head>
        <body><img src="img/dot.png" srcset="img/dot.png 1x, img/missing.png 2x"><video src="media/v.webm"></video><a href="other.html">x</a><img src="https://example.org/a.png"></body></html>`;
      const source = new DatabaseSiteSource(db, 'site');
      const out = await rewritePage(html, { path: 'docs/page.html', search: '?q=1', hash: '' }, source);
      const doc = new DOMParser().parseFromString(out.html, 'text/html');
      expect(doc.head.firstElementChild!.localName).to.equal('script');
      expect(doc.head.firstElementChild!.textContent).to.contain('"search":"?q=1"');
      expect(doc.querySelector('base')).to.equal(null);
      const cssUrl = doc.querySelector('link')!.getAttribute('href')!;
      expect(cssUrl).to.match(/^data:text\/css;charset=utf-8;base64,/);
      const css = atob(cssUrl.split(',')[1]);
      expect(css).to.match(/@import "data:text\/css;charset=utf-8;base64,/).and.match(/url\("data:image\/png;base64,UE5HIQ=="\)/);
      const js = atob(doc.querySelector('script[type=module]')!.getAttribute('src')!.split(',')[1]);
      expect(atob(/from '(data:[^']+)'/.exec(js)![1].split(',')[1])).to.equal('export const f = () => 1;');
      expect(doc.querySelector('img')!.getAttribute('srcset')).to.equal('data:image/png;base64,UE5HIQ== 1x, img/missing.png 2x');
      expect(doc.querySelector('video')!.getAttribute('data-rtc-src')).to.equal('/media/v.webm');
      expect(doc.querySelector('video')!.hasAttribute('src')).to.equal(false);
      expect(doc.querySelector('a')!.getAttribute('href')).to.equal('other.html');
      expect(doc.querySelectorAll('img')[1].getAttribute('src')).to.equal('https://example.org/a.png');
      expect(out.files.sort()).to.deep.equal(['css/site.css', 'css/theme.css', 'docs/page.html', 'img/dot.png', 'img/missing.png', 'js/f.js', 'js/main.js', 'media/v.webm']);
    } finally {
      await dropDatabase(db);
    }
  });
});

describe('chooseSiteServer and SiteHistory', () => {
  const server = (kind: SiteServer['kind']): SiteServer => ({ kind, urlFor: () => Promise.resolve(''), dispose: () => {} });
  const sw = (available: boolean): SiteServerFactory => ({ kind: 'service-worker', needsSecureContext: true, start: () => Promise.resolve(available ? server('service-worker') : null) });
  const blob: SiteServerFactory = { kind: 'blob', needsSecureContext: false, start: () => Promise.resolve(server('blob')) };
  const source = { doc: 'site', read: () => Promise.reject(new Error('unused')) };

  it('prefers the Service Worker on a secure context, else the blob path; an explicit mode only its own', async () => {
    expect((await chooseSiteServer(source, 'auto', [sw(true), blob], true)).kind).to.equal('service-worker');
    expect((await chooseSiteServer(source, 'auto', [sw(true), blob], false)).kind).to.equal('blob');
    expect((await chooseSiteServer(source, 'auto', [sw(false), blob], true)).kind).to.equal('blob');
    expect((await chooseSiteServer(source, 'blob', [sw(true), blob], true)).kind).to.equal('blob');
    const refused = await chooseSiteServer(source, 'service-worker', [sw(true), blob], false).catch((e: { status_code: number }) => e);
    expect((refused as { status_code: number }).status_code).to.equal(501);
  });

  it('keeps a browser-like back/forward list', () => {
    const h = new SiteHistory();
    h.push('a');
    h.push('b');
    h.push('c');
    expect([h.go(-1), h.go(-1), h.go(-1), h.canBack, h.canForward]).to.deep.equal(['b', 'a', null, false, true]);
    h.push('d');
    expect([h.canForward, h.go(-1), h.go(1), h.go(1)]).to.deep.equal([false, 'a', 'd', null]);
  });
});
