/**
 * The references inside CSS and JavaScript module text, found and replaced (docs/site.md
 * "Blob path"). Regular expressions, not parsers: they find `url(…)`, `@import "…"`, static
 * `import … from '…'`, `import '…'`, `export … from '…'` and `import('…')` with a string literal,
 * which is what hand-written sites and bundlers' output use. A specifier built at run time
 * (`import(name)`, `new URL('x', import.meta.url)`) is not seen: a documented limit.
 */

/** `url(x)`, `url("x")`, `url('x')`; and `@import "x"` / `@import 'x'` (without url()). */
const CSS_URL = /url\(\s*(['"]?)([^'")]*?)\1\s*\)/gi;
const CSS_IMPORT = /@import\s+(['"])([^'"]*?)\1/gi;

/** Static imports and re-exports with a `from` clause or a bare `import '…'`, then dynamic `import('…')`. */
const JS_STATIC = /(\bimport\s*(?:[\w$*{}\s,]+?\s*from\s*)?|\bexport\s*(?:\*\s*(?:as\s+[\w$]+\s*)?|\{[^}]*\}\s*)from\s*)(['"])([^'"\n]+)\2/g;
const JS_DYNAMIC = /(\bimport\s*\(\s*)(['"])([^'"\n]+)\2(\s*\))/g;

/** Every `url()` and `@import` reference of a stylesheet, in order (duplicates kept). */
export function cssRefs(css: string): string[] {
  const refs: string[] = [];
  for (const m of css.matchAll(CSS_URL)) refs.push(m[2]);
  for (const m of css.matchAll(CSS_IMPORT)) refs.push(m[2]);
  return refs;
}

/**
 * Replaces each reference of a stylesheet by `map(ref)`, leaving it as written where `map` gives
 * `undefined`. The replacement is quoted (`url("…")`).
 */
export function rewriteCss(css: string, map: (ref: string) => string | undefined): string {
  return css
    .replace(CSS_URL, (all, _q: string, ref: string) => {
      const to = map(ref);
      return to === undefined ? all : `url("${to}")`;
    })
    .replace(CSS_IMPORT, (all, _q: string, ref: string) => {
      const to = map(ref);
      return to === undefined ? all : `@import "${to}"`;
    });
}

/** Whether a module specifier is a relative or root-relative URL (`./`, `../`, `/`): bare names stay. */
export function isRelativeSpecifier(spec: string): boolean {
  return /^(\.{1,2})?\//.test(spec);
}

/** The relative specifiers a JavaScript module imports (static and `import('literal')`). */
export function jsRefs(js: string): string[] {
  const refs: string[] = [];
  for (const m of js.matchAll(JS_STATIC)) refs.push(m[3]);
  for (const m of js.matchAll(JS_DYNAMIC)) refs.push(m[3]);
  return refs.filter(isRelativeSpecifier);
}

/** Replaces the relative specifiers of a module by `map(spec)` (left as written where it gives `undefined`). */
export function rewriteJs(js: string, map: (spec: string) => string | undefined): string {
  const swap = (all: string, head: string, q: string, spec: string, tail = ''): string => {
    if (!isRelativeSpecifier(spec)) return all;
    const to = map(spec);
    return to === undefined ? all : `${head}${q}${to}${q}${tail}`;
  };
  return js.replace(JS_STATIC, (all, head: string, q: string, spec: string) => swap(all, head, q, spec))
    .replace(JS_DYNAMIC, (all, head: string, q: string, spec: string, tail: string) => swap(all, head, q, spec, tail));
}
