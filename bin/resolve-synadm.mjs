// Module resolution hook (node:module register), installed by synadm only for a plugin from whose folder
// 'synadm' does not resolve to the running synadm: 'synadm' and 'synadm/…' resolve as if imported from inside
// the running synadm's package (Node's self-reference by package name, through its "exports").
let parentURL

export function initialize(data) {
  // A file at the package's root: bin/ and dist/cli/ have package.json files of their own (marking their files as
  // CommonJS), and self-reference looks at the nearest package.json only.
  parentURL = new URL('package.json', data.root).href
}

export function resolve(specifier, context, nextResolve) {
  if (specifier === 'synadm' || specifier.startsWith('synadm/')) return nextResolve(specifier, { ...context, parentURL })
  return nextResolve(specifier, context)
}
