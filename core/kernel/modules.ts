/**
 * Loading code at run time in a way that works both from the ES module sources (tests, `synadm/testing`) and from
 * the CommonJS bundle that bin/synadm.js runs through V8's code cache, where a bare import() has no loader.
 */
import { createRequire } from 'node:module'

/** Node's own modules (and CommonJS packages), loaded when first needed. */
export const requireModule = createRequire(import.meta.url)

const PROVIDED_IMPORT = Symbol.for('synadm.import')

/** import() of a package or file URL: ES modules and CommonJS alike (plugins, config files). */
export function importModule(specifier: string): Promise<any> {
  const provided = (globalThis as Record<symbol, ((s: string) => Promise<unknown>) | undefined>)[PROVIDED_IMPORT]
  return provided ? provided(specifier) : import(specifier)
}
