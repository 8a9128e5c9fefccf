/**
 * dist/rtc-gadgets.iife.js, the classic-script bundle for RenderJS/ERP5 and no-build pages: loaded
 * twice beside the ES module bundle on a page that has other scripts (and RSVP / rJS / jIO
 * sentinels), it exposes exactly one global, RtcGadgets (the exports of gadgets/index.ts), touches
 * none of the sentinels, keeps one namespace and raises no error. Alone in a fresh window it also
 * registers every tag. Run `npm run build` first.
 */
import { expect } from '@open-wc/testing';

const TAGS = ['rtc-master', 'rtc-slave', 'rtc-status', 'rtc-query-form'];
/** Lit's own cross-copy registries (created with ??= and shared by every copy of Lit on a page). */
const LIT_REGISTRIES = ['litPropertyMetadata', 'reactiveElementVersions', 'litHtmlVersions', 'litElementVersions'];

function loadClassic(win: Window, src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = win.document.createElement('script');
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`cannot load ${src}`));
    win.document.head.append(script);
  });
}

/**
 * The bundle's URL, with its dot percent-encoded: the test server's esbuild plugin transforms every
 * `*.js` it serves (to es2021), which would add esbuild's helpers (`__defProp`, …) as globals of a
 * classic script; an encoded extension is not recognised, so the real bytes of the file load.
 */
const IIFE = '/dist/rtc-gadgets.iife%2Ejs';

const globals = (win: Window) => new Set(Object.getOwnPropertyNames(win));
const added = (before: Set<string>, after: Set<string>) => [...after].filter((k) => !before.has(k)).sort();

type Win = Window & Record<string, unknown>;

describe('dist/rtc-gadgets.iife.js', () => {
  const errors: unknown[] = [];
  const onError = (event: ErrorEvent) => errors.push(event.error ?? event.message);
  before(() => window.addEventListener('error', onError));
  after(() => window.removeEventListener('error', onError));

  it('loaded twice beside the ES bundle, adds only RtcGadgets and leaves RSVP, rJS and jIO alone', async () => {
    const win = window as unknown as Win;
    const sentinels = {
      RSVP: Object.freeze({ sentinel: 'RSVP' }),
      rJS: Object.freeze({ sentinel: 'rJS' }),
      jIO: Object.freeze({ sentinel: 'jIO' }),
    };
    Object.assign(win, sentinels);
    // Another page script, as on an ERP5 page.
    const other = document.createElement('script');
    other.textContent = 'window.otherLibrary = { loaded: true };';
    document.head.append(other);

    await import(/* @vite-ignore */ `${location.origin}/dist/rtc-gadgets.js`);
    for (const tag of TAGS) expect(customElements.get(tag), tag).to.be.a('function');
    const esMaster = customElements.get('rtc-master');

    const before = globals(win);
    await loadClassic(window, IIFE);
    const namespace = win.RtcGadgets as Record<string, unknown>;
    expect(added(before, globals(win))).to.deep.equal(['RtcGadgets']);

    await loadClassic(window, IIFE);
    expect(added(before, globals(win))).to.deep.equal(['RtcGadgets']);
    expect(win.RtcGadgets, 'the second load keeps the first namespace').to.equal(namespace);

    for (const [name, value] of Object.entries(sentinels)) expect(win[name], name).to.equal(value);
    expect(win.otherLibrary).to.deep.equal({ loaded: true });
    expect(customElements.get('rtc-master'), 'the first definition stays').to.equal(esMaster);
    const el = document.createElement('rtc-master');
    expect(el).to.be.an.instanceOf(esMaster!);
    expect(errors).to.deep.equal([]);
  });

  it('exposes exactly the exports of gadgets/index.ts', async () => {
    const index = await import(/* @vite-ignore */ `${location.origin}/dist/gadgets/index.js`);
    const namespace = (window as unknown as Win).RtcGadgets as Record<string, unknown>;
    expect(Object.keys(namespace).sort()).to.deep.equal(Object.keys(index).sort());
    expect(namespace.parseQuery).to.be.a('function');
    expect((namespace.parseQuery as (q: string) => unknown)('a:1')).to.deep.equal({ type: 'simple', key: 'a', value: '1' });
  });

  it('alone in a fresh window: registers every tag with its own classes, and only Lit\'s shared registries besides', async () => {
    const frame = document.createElement('iframe');
    document.body.append(frame);
    try {
      const win = frame.contentWindow as unknown as Win;
      const before = globals(win);
      await loadClassic(win, `${location.origin}${IIFE}`);
      await loadClassic(win, `${location.origin}${IIFE}`);
      const extra = added(before, globals(win));
      expect(extra).to.include('RtcGadgets');
      expect(extra.filter((k) => k !== 'RtcGadgets' && !LIT_REGISTRIES.includes(k))).to.deep.equal([]);
      const ns = win.RtcGadgets as Record<string, CustomElementConstructor>;
      expect(win.customElements.get('rtc-master')).to.equal(ns.RtcMaster);
      expect(win.customElements.get('rtc-slave')).to.equal(ns.RtcSlave);
      expect(win.customElements.get('rtc-status')).to.equal(ns.RtcStatus);
      expect(win.customElements.get('rtc-query-form')).to.equal(ns.RtcQueryForm);
      expect(win.RSVP).to.equal(undefined);
      expect(win.rJS).to.equal(undefined);
      expect(win.jIO).to.equal(undefined);
    } finally {
      frame.remove();
    }
  });
});
