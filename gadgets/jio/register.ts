/**
 * Registers the `rtc` storage with a jIO: `jIO.addStorage('rtc', …)` (docs/jio-storage.md).
 */
import type { JioLike, RsvpLike } from './types.js';
import { makeRtcStorage } from './rtc-storage.js';

interface JioGlobals {
  jIO?: JioLike;
  RSVP?: RsvpLike;
}

/**
 * Adds the `rtc` storage type to `jio` (default: the page's `jIO` global) with `rsvp` (default: the
 * page's `RSVP`, else the Node build's `jIO.node_env.RSVP`). Harmless when `rtc` is already there
 * (another copy of the bundle registered it).
 * @returns true when `rtc` is a storage type of that jIO afterwards, false when there is no jIO
 *   (or no RSVP beside it).
 */
export function registerRtcStorage(jio?: JioLike, rsvp?: RsvpLike): boolean {
  const globals = globalThis as JioGlobals;
  const target = jio ?? globals.jIO;
  if (!target || typeof target.addStorage !== 'function') return false;
  if (target.__storage_types?.rtc) return true;
  const queue = rsvp ?? globals.RSVP ?? target.node_env?.RSVP;
  if (!queue) return false;
  target.addStorage('rtc', makeRtcStorage(target, queue));
  return true;
}
