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

/**
 * The database API on the elements: `DatabaseElement` gets most of its jIO methods at run time from
 * the method table (gadgets/methods.ts `installMethods`), which the analyzer cannot see. This plugin
 * reads `interface DatabaseApi` of gadgets/api.ts (the methods' one declaration, with their JSDoc)
 * and adds each method the class does not write out itself; overloads written out (`remove()` and
 * `remove(id)`) become one member.
 */
function databaseApiMethods() {
  const api = [];
  return {
    name: 'rtc-database-api-methods',
    collectPhase({ ts, node }) {
      if (!ts.isInterfaceDeclaration(node) || node.name.text !== 'DatabaseApi') return;
      for (const member of node.members) {
        if (!ts.isMethodSignature(member)) continue;
        const description = (member.jsDoc ?? []).map((d) => (typeof d.comment === 'string' ? d.comment : '')).join('\n').trim();
        api.push({
          kind: 'method',
          name: member.name.getText(),
          description,
          parameters: member.parameters.map((p) => ({
            name: p.name.getText(),
            ...(p.questionToken ? { optional: true } : {}),
            ...(p.type ? { type: { text: p.type.getText() } } : {}),
          })),
          return: member.type ? { type: { text: member.type.getText() } } : undefined,
        });
      }
    },
    packageLinkPhase({ customElementsManifest }) {
      for (const module of customElementsManifest.modules) {
        for (const declaration of module.declarations ?? []) {
          if (!declaration.members || !(declaration.name === 'DatabaseElement' || declaration.superclass?.name === 'DatabaseElement')) continue;
          const seen = new Set();
          declaration.members = declaration.members.filter((m) => m.kind !== 'method' || !seen.has(m.name) && seen.add(m.name));
          for (const method of api) {
            if (seen.has(method.name)) continue;
            declaration.members.push(declaration.name === 'DatabaseElement' ? method : { ...method, inheritedFrom: { name: 'DatabaseElement', module: 'gadgets/elements/database-element.ts' } });
          }
        }
      }
    },
  };
}

export default {
  globs: ['gadgets/**/*.ts'],
  exclude: ['gadgets/define.ts'],
  litelement: true,
  plugins: [eventClassNames(), databaseApiMethods(), shippedPaths()],
};
