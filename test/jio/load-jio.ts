/**
 * Puts the real jIO (npm `jio`, its Node build, through test/jio/jio-browser-shim.js) on the test
 * page as the `jIO` and `RSVP` globals, as an ERP5 page has them, and registers the `rtc` storage.
 */
import { browserJioScript } from './jio-browser-shim.js';
import { registerRtcStorage } from '../../gadgets/jio/register.js';
import type { JioLike } from '../../gadgets/jio/types.js';

let loaded: Promise<JioLike> | null = null;

/** The page's jIO, loaded once. */
export function loadJio(): Promise<JioLike> {
  loaded ??= (async () => {
    const source = await (await fetch('/__jio__/jio-latest-node.txt')).text();
    const script = document.createElement('script');
    script.textContent = browserJioScript(source);
    document.head.append(script);
    const jio = (globalThis as { jIO?: JioLike }).jIO;
    if (!jio) throw new Error('jIO did not load');
    registerRtcStorage(jio);
    return jio;
  })();
  return loaded;
}
