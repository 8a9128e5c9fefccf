// Which requests the offline pages' Service Worker answers (gadgets/offline/protocol.ts precacheKey):
// GETs of precached files only, their query string ignored; never another origin, a write, the
// broadcaster's own URLs, or <rtc-site>'s URL space (issue 17), which another worker serves.
import { expect } from '@open-wc/testing';
import { SITE_PREFIX, precacheKey } from '../../gadgets/offline/protocol.js';

const origin = 'https://192.168.1.20:9999';
const precached = new Set([`${origin}/demo/slave.html`, `${origin}/dist/rtc-gadgets.js`, `${origin}/__rtc-site__/x.html`]);

describe('offline worker: precacheKey', () => {
  it('answers GETs of precached files, whatever their query string or fragment', () => {
    expect(precacheKey('GET', `${origin}/demo/slave.html`, origin, precached)).to.equal(`${origin}/demo/slave.html`);
    expect(precacheKey('GET', `${origin}/demo/slave.html?room=shop#top`, origin, precached)).to.equal(`${origin}/demo/slave.html`);
    expect(precacheKey('GET', `${origin}/dist/rtc-gadgets.js`, origin, precached)).to.equal(`${origin}/dist/rtc-gadgets.js`);
  });

  it('lets everything else through: other files, the broadcaster\'s URLs, writes, other origins', () => {
    for (const path of ['/demo/master.html', '/info.json', '/qr', '/signal', '/dist/rtc-gadgets.js.map', '/demo/']) {
      expect(precacheKey('GET', origin + path, origin, precached), path).to.equal(null);
    }
    expect(precacheKey('POST', `${origin}/demo/slave.html`, origin, precached)).to.equal(null);
    expect(precacheKey('HEAD', `${origin}/demo/slave.html`, origin, precached)).to.equal(null);
    expect(precacheKey('GET', 'https://192.168.1.21:9999/demo/slave.html', origin, precached)).to.equal(null);
  });

  it('never answers under <rtc-site>\'s URL space, even for a file in its list', () => {
    expect(SITE_PREFIX).to.equal('/__rtc-site__/');
    expect(precacheKey('GET', `${origin}/__rtc-site__/x.html`, origin, precached)).to.equal(null);
  });
});
