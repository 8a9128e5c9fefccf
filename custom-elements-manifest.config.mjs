// The custom-elements.json of rtc-gadgets (`cem analyze` in `npm run build`): the elements of
// gadgets/, as shipped in dist/. Two plugins correct what the analyzer cannot know by itself.
import { posix } from 'node:path';

/**
 * Event names from the event classes of gadgets/events/events.ts. For `dispatchEvent(new X(a, …))`
 * the analyzer takes `a` as the event's name (so `new RtcProgressEvent(id, …)` became an event
 * named "id"); this plugin reads each `class X extends CustomEvent` whose constructor calls
 * `super('rtc-…', …)`, names such events after that string, and merges duplicates (a JSDoc
 * `@fires` of the same name keeps its description).
 */
function eventClassNames() {
  /** Event class name → the event name its constructor passes to `super`. */
  const names = new Map();
  return {
    name: 'rtc-event-class-names',
    collectPhase({ ts, node }) {
      if (!ts.isClassDeclaration(node) || !node.name) return;
      const base = node.heritageClauses?.flatMap((c) => c.types).map((t) => t.expression.getText());
      if (!base?.includes('CustomEvent')) return;
      const visit = (n) => {
        if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.SuperKeyword) {
          const [first] = n.arguments;
          if (first && ts.isStringLiteralLike(first)) names.set(node.name.text, first.text);
        }
        ts.forEachChild(n, visit);
      };
      ts.forEachChild(node, visit);
    },
    moduleLinkPhase({ moduleDoc }) {
      for (const declaration of moduleDoc.declarations ?? []) {
        if (!declaration.events) continue;
        const byName = new Map();
        for (const event of declaration.events) {
          const name = names.get(event.type?.text) ?? event.name;
          const merged = { ...byName.get(name), ...event, name };
          if (byName.get(name)?.description) merged.description = byName.get(name).description;
          byName.set(name, merged);
        }
        declaration.events = [...byName.values()];
      }
    },
  };
}

/**
 * Paths of shipped files: the analyzer reads gadgets/…/x.ts, the package ships dist/gadgets/…/x.js
 * (tsc's output, `exports` in package.json). Rewrites every module `path` and every reference's
 * `module` (`gadgets/…ts`, `/gadgets/…js`, or `./…js` relative to a re-exporting module) to
 * `dist/gadgets/…js`.
 */
function shippedPaths() {
  const shipped = (path, from) => {
    const absolute = path.startsWith('.') ? posix.join(posix.dirname(from), path) : path;
    return absolute.replace(/^\/?(gadgets\/.*)\.(ts|js)$/, 'dist/$1.js');
  };
  const rewrite = (value, from) => {
    if (Array.isArray(value)) value.forEach((v) => rewrite(v, from));
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if ((key === 'path' || key === 'module') && typeof child === 'string') value[key] = shipped(child, from);
        else rewrite(child, from);
      }
    }
  };
  return {
    name: 'rtc-shipped-paths',
    packageLinkPhase({ customElementsManifest }) {
      for (const module of customElementsManifest.modules) rewrite(module, module.path);
    },
  };
}

export default {
  globs: ['gadgets/**/*.ts'],
  exclude: ['gadgets/define.ts'],
  litelement: true,
  plugins: [eventClassNames(), shippedPaths()],
};
