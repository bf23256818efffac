// Module resolution hook (node:module register), installed by synadm only for a plugin from whose folder
// 'synadm' does not resolve to the running synadm: 'synadm' and 'synadm/…' resolve as if imported from inside
// the running synadm's package (Node's self-reference by package name, through its "exports").
let parentURL

export function initialize(data) {
  parentURL = new URL('bin/synadm.js', data.root).href
}

export function resolve(specifier, context, nextResolve) {
  if (specifier === 'synadm' || specifier.startsWith('synadm/')) return nextResolve(specifier, { ...context, parentURL })
  return nextResolve(specifier, context)
}
