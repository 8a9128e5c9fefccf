/**
 * The pages' language (README "Theme and languages"). Strings go through `msg()` of
 * `@lit/localize` (runtime mode); the translations are `gadgets/locales/<locale>.ts`, generated
 * from `locales/<locale>.xlf` by `npx lit-localize build` and loaded on demand.
 *
 * lit-localize's locale is global (one per JavaScript realm), so a page shows one language. It is
 * chosen, first match wins:
 * 1. the closest `[lang]` of an element of this package that is set below `<html>` (on the element
 *    or a container, e.g. a RenderJS gadget's): the most recently connected such element wins;
 * 2. `<html lang>`;
 * 3. the browser's languages (`navigator.languages`);
 * 4. English.
 * A language with no translation (e.g. `de`) is skipped and the next rule is tried. A change of
 * any `lang` attribute in the page (a MutationObserver) or of the browser's languages
 * (`languagechange`) chooses again and re-renders every element.
 */
import { configureLocalization, LOCALE_STATUS_EVENT, type LocaleModule } from '@lit/localize';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { sourceLocale, targetLocales } from '../locales/locale-codes.js';

/** A language with translations: `en` (the source), `fr`, `zh-Hans`. */
export type Locale = 'en' | 'fr' | 'zh-Hans';

/** The generated translations, imported when first used (bundles inline them: rollup.config.js). */
const LOADERS: Record<string, () => Promise<LocaleModule>> = {
  fr: () => import('../locales/fr.js'),
  'zh-Hans': () => import('../locales/zh-Hans.js'),
};

let runtime: { getLocale(): string; setLocale(locale: string): Promise<void> } | null = null;
try {
  runtime = configureLocalization({ sourceLocale, targetLocales, loadLocale: (locale) => LOADERS[locale]!() });
} catch {
  // The page configured lit-localize itself (it can be configured once per realm): its own
  // locale and translations are used, and this module does not switch languages.
  runtime = null;
}

/**
 * The translated locale for a BCP 47 tag: `fr-CA` → `fr`; `zh`, `zh-CN`, `zh-Hans-SG` → `zh-Hans`,
 * and so are `zh-TW` and `zh-Hant` (Simplified is closer for them than English); `en-GB` → `en`.
 * @returns null for an empty tag or a language without translations.
 */
export function matchLocale(tag: string | null | undefined): Locale | null {
  const language = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0];
  if (language === 'en') return 'en';
  if (language === 'fr') return 'fr';
  if (language === 'zh') return 'zh-Hans';
  return null;
}

/** The closest non-empty `lang` around `el`, crossing shadow roots: `{ lang, on }`, or null. */
export function closestLang(el: Element): { lang: string; on: Element } | null {
  let node: Element | null = el;
  while (node) {
    const found: Element | null = node.closest('[lang]:not([lang=""])');
    if (found) return { lang: found.getAttribute('lang')!, on: found };
    const root = node.getRootNode();
    node = root instanceof ShadowRoot ? root.host : null;
  }
  return null;
}

/** Connected elements of this package, in order of connection. */
const elements = new Set<Element>();

/** The locale the rules above choose for the page now. */
export function chooseLocale(): Locale {
  const html = document.documentElement;
  for (const el of [...elements].reverse()) {
    const found = closestLang(el);
    const locale = found && found.on !== html ? matchLocale(found.lang) : null;
    if (locale) return locale;
  }
  const page = matchLocale(html.getAttribute('lang'));
  if (page) return page;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const locale = matchLocale(tag);
    if (locale) return locale;
  }
  return 'en';
}

let scheduled = false;
let ready: Promise<void> = Promise.resolve();

/** Chooses again at the end of this task's microtasks (connections come in bursts). */
function schedule(): void {
  if (scheduled || !runtime) return;
  scheduled = true;
  queueMicrotask(() => {
    scheduled = false;
    ready = runtime!.setLocale(chooseLocale()).catch(() => {});
  });
}

let observer: MutationObserver | null = null;

function watchPage(): void {
  if (observer || typeof MutationObserver !== 'function') return;
  observer = new MutationObserver(schedule);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'], subtree: true });
  window.addEventListener('languagechange', schedule);
}

/** The locale shown now (`en` until a translation has loaded). */
export function getLocale(): Locale {
  return (runtime?.getLocale() ?? 'en') as Locale;
}

/** Resolves once the locale chosen last is loaded and shown (for tests and screenshots). */
export async function localeReady(): Promise<Locale> {
  await new Promise<void>((resolve) => queueMicrotask(resolve));
  await ready;
  return getLocale();
}

/**
 * Makes an element follow the page's language: it takes part in the choice while connected and
 * re-renders when a translation is ready. `new LocaleController(this)` in a field of the element.
 */
export class LocaleController implements ReactiveController {
  constructor(private readonly host: ReactiveControllerHost & Element) {
    host.addController(this);
  }

  hostConnected(): void {
    elements.delete(this.host);
    elements.add(this.host);
    window.addEventListener(LOCALE_STATUS_EVENT, this.onStatus);
    watchPage();
    schedule();
  }

  hostDisconnected(): void {
    elements.delete(this.host);
    window.removeEventListener(LOCALE_STATUS_EVENT, this.onStatus);
    schedule();
  }

  private readonly onStatus = (event: Event): void => {
    if ((event as CustomEvent<{ status: string }>).detail.status === 'ready') this.host.requestUpdate();
  };
}

/**
 * Class decorator: every instance of the element follows the page's language (a
 * {@link LocaleController}), as `@localized()` of `@lit/localize` does with its own rules.
 */
export function localized() {
  return (cls: { addInitializer(init: (el: ReactiveControllerHost & Element) => void): void }): void => {
    cls.addInitializer((el) => new LocaleController(el));
  };
}
