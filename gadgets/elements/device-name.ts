/**
 * A slave's default device name: the platform and a short random id ("Android · 4F2A"), kept in
 * the page origin's localStorage so that a device keeps its name across reloads. Where
 * localStorage is missing or refuses (an opaque origin, storage disabled), the name lasts as long
 * as the page.
 */
import { cleanName } from '../channel/handshake.js';

/** The localStorage key of the device name (namespaced: the page may use localStorage too). */
export const NAME_KEY = 'rtc-gadgets:name';

/** What this module reads of `navigator`. */
export interface NavigatorLike {
  userAgent?: string;
  maxTouchPoints?: number;
  /** User-Agent Client Hints (WICG UA-CH, Chromium only): `platform` is e.g. "Android", "macOS". */
  userAgentData?: { platform?: string };
}

/** UA-CH platform names, and how they are written in a device name. */
const CLIENT_HINT_PLATFORMS: Record<string, string> = {
  android: 'Android',
  'chrome os': 'ChromeOS',
  chromeos: 'ChromeOS',
  ios: 'iPhone',
  linux: 'Linux',
  macos: 'Mac',
  windows: 'Windows',
};

/** User-agent patterns, most specific first (an Android UA also says Linux; an iPad may say Macintosh). */
const USER_AGENT_PLATFORMS: [RegExp, string][] = [
  [/Android/i, 'Android'],
  [/iPhone|iPod/i, 'iPhone'],
  [/iPad/i, 'iPad'],
  [/CrOS/, 'ChromeOS'],
  [/Windows/i, 'Windows'],
  [/Macintosh|Mac OS X/i, 'Mac'],
  [/Linux|X11/i, 'Linux'],
];

/**
 * The platform part of a device name: from `navigator.userAgentData.platform` where the browser
 * has it (Chromium), else from the user agent. An iPad that says "Macintosh" (iPadOS 13 and
 * later) is told from a Mac by its touch points.
 * @returns "Android", "iPhone", "iPad", "ChromeOS", "Windows", "Mac", "Linux", or "Device".
 */
export function platformName(nav: NavigatorLike | undefined = globalThis.navigator): string {
  const hint = nav?.userAgentData?.platform?.trim().toLowerCase();
  if (hint && CLIENT_HINT_PLATFORMS[hint]) return CLIENT_HINT_PLATFORMS[hint];
  const ua = nav?.userAgent ?? '';
  for (const [pattern, name] of USER_AGENT_PLATFORMS) {
    if (!pattern.test(ua)) continue;
    return name === 'Mac' && (nav?.maxTouchPoints ?? 0) > 1 ? 'iPad' : name;
  }
  return 'Device';
}

/** Four random upper-case hex digits (`crypto.getRandomValues`: pages over plain http have it). */
export function shortId(): string {
  const [value] = crypto.getRandomValues(new Uint16Array(1));
  return value!.toString(16).toUpperCase().padStart(4, '0');
}

/** A new default name: `<platform> · <short id>`, e.g. "Linux · 4F2A". */
export function newDeviceName(nav?: NavigatorLike): string {
  return `${platformName(nav)} · ${shortId()}`;
}

/** This page's name when localStorage cannot keep one. */
let pageName: string | null = null;

/** The localStorage of the page, or null when there is none or reading it throws (opaque origin). */
function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/**
 * The device's name: the one stored under {@link NAME_KEY}, else a new default
 * ({@link newDeviceName}), stored for next time (or kept for this page only when storage fails).
 */
export function storedDeviceName(): string {
  const store = storage();
  try {
    const stored = cleanName(store?.getItem(NAME_KEY));
    if (stored !== null) return stored;
  } catch {
    // unreadable: as if none
  }
  const name = pageName ?? newDeviceName();
  storeDeviceName(name);
  return name;
}

/** Keeps `name` as the device's name (in localStorage; for this page only when that fails). */
export function storeDeviceName(name: string): void {
  pageName = name;
  try {
    storage()?.setItem(NAME_KEY, name);
  } catch {
    // full, or refused: the page keeps it
  }
}

/**
 * A name and who watches it: what a slave session reads at each join and watches while linked
 * (`session/peer-link.ts` NameSource), fed by the element's `name` property.
 */
export class NameFeed {
  private readonly watchers = new Set<() => void>();

  constructor(private readonly read: () => string) {}

  get value(): string {
    return this.read();
  }

  /** Calls `fn` after each change. @returns what stops watching. */
  watch(fn: () => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  /** Tells every watcher that the name changed. */
  changed(): void {
    for (const fn of [...this.watchers]) fn();
  }
}
