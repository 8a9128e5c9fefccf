/**
 * Shared set-up of the RenderJS wrapper tests: the test page becomes an ERP5-like parent (a root
 * gadget of the RenderJS TEST HARNESS in test/renderjs/harness/, not RenderJS) that provides the
 * acquisitions ERP5 provides and records every call. Gadgets come from dist/renderjs-harness/ (the
 * built wrappers beside the harness's rsvp.js and renderjs.js), so `npm run build` must run first.
 */
import { deleteDatabase, uniqueName } from '../shared/databases.js';

/** Where the built wrappers sit beside the harness (a stand-in for an ERP5 skin folder). */
export const SITE = '/dist/renderjs-harness/';

/** A RenderJS gadget as the tests use it: declared methods return thenables (RSVP queues). */
export interface Gadget {
  element: HTMLElement;
  state: Record<string, unknown>;
  [method: string]: unknown;
}

/** Calls a declared method of a gadget and awaits it. */
export async function call<T = unknown>(gadget: Gadget, method: string, ...args: unknown[]): Promise<T> {
  const fn = gadget[method] as ((...a: unknown[]) => PromiseLike<T>) | undefined;
  if (typeof fn !== 'function') throw new Error(`gadget has no method ${method}`);
  return await fn.apply(gadget, args);
}

/** One acquisition that reached the root: its name, arguments and the child's scope. */
export interface AcquiredCall {
  name: string;
  args: unknown[];
  scope: string | undefined;
}

export interface Root {
  gadget: Gadget;
  calls: AcquiredCall[];
}

type RJS = ((w: Window) => Record<string, (...a: unknown[]) => unknown>) & {
  manualBootstrap(): void;
  AcquisitionError: new (m?: string) => Error;
  IframeSerializationError: new (m?: string) => Error;
  ScopeError: new (m?: string) => Error;
};

declare global {
  interface Window {
    rJS?: RJS;
    RSVP?: unknown;
  }
}

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.async = false;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.append(script);
  });
}

let rootPromise: Promise<Root> | null = null;

/** Boots the harness once per test page; the root records the acquisitions ERP5 provides. */
export function bootRoot(): Promise<Root> {
  rootPromise ??= (async () => {
    await loadScript(`${SITE}rsvp.js`);
    await loadScript(`${SITE}renderjs.js`);
    const rJS = window.rJS!;
    const calls: AcquiredCall[] = [];
    const klass = rJS(window);
    for (const name of ['notifyChange', 'notifyValid', 'notifyInvalid', 'notifySubmit', 'reportServiceError', 'reportGadgetDeclarationError']) {
      klass.allowPublicAcquisition(name, (args: unknown[], scope: string | undefined) => {
        calls.push({ name, args: [...args], scope });
      });
    }
    const ready = new Promise<Gadget>((resolve) => klass.ready((g: Gadget) => resolve(g)));
    rJS.manualBootstrap();
    return { gadget: await ready, calls };
  })();
  return rootPromise;
}

let scopes = 0;
/** A unique gadget scope. */
export const newScope = (prefix = 'field') => `${prefix}_${Date.now().toString(36)}_${scopes++}`;

/** Declares `gadget_rtc_<kind>.html` in a new container appended to the body. */
export async function declare(root: Root, kind: 'master' | 'slave', sandbox: 'public' | 'iframe' | 'dataurl', scope = newScope()): Promise<{ gadget: Gadget; scope: string }> {
  const container = document.createElement('div');
  document.body.append(container);
  const gadget = await call<Gadget>(root.gadget, 'declareGadget', `${SITE}gadget_rtc_${kind}.html`, { element: container, scope, sandbox });
  return { gadget, scope };
}

/** Resolves when `predicate` holds (polling), or rejects after `timeout` ms with `message`. */
export async function until(predicate: () => boolean, message: string, timeout = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeout) throw new Error(`timed out: ${message}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The calls of `name` the root received from `scope`. */
export const callsOf = (root: Root, name: string, scope: string) => root.calls.filter((c) => c.name === name && c.scope === scope);

/** A fresh database name (the master's IndexedDB database is `rtc:<name>`). */
export const newDatabase = () => uniqueName('rjs');

export { deleteDatabase };

/** A signaling URL where nothing listens: the element tries, fails and keeps retrying. */
export const UNREACHABLE = 'ws://127.0.0.1:9/signal';

/** Types into the query form's create inputs (inside its shadow root) and submits, as a person would. */
export function createRecordInForm(form: Element, values: Record<string, string>): void {
  const root = form.shadowRoot!;
  for (const [name, value] of Object.entries(values)) {
    const input = root.querySelector(`input[name="${name}"]`) as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }
  (root.querySelector('form[part="create"] button[type="submit"]') as HTMLButtonElement).click();
}
