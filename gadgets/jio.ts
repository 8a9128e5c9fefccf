/**
 * rtc-gadgets/jio.js: the `rtc` jIO storage. Importing it registers the rtc-gadgets tags and, when
 * the page has a `jIO` global, `jIO.addStorage('rtc', …)`; call `registerRtcStorage(jIO)` for a jIO
 * loaded later. jIO itself is never bundled (docs/jio-storage.md).
 */
import './define.js';
import { registerRtcStorage } from './jio/register.js';

registerRtcStorage();

export { registerRtcStorage };
export { makeRtcStorage, RTC_CAPACITIES } from './jio/rtc-storage.js';
export type { RtcStorageSpec } from './jio/backend.js';
export type { JioLike, RsvpLike, JioStorage } from './jio/types.js';
