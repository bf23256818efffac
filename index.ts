/**
 * The package `synadm` for plugins: the core's API (core/index.ts) and the built-in plugins' API types and
 * completion source names (plugins/apis.ts).
 */
export * from './core/index.js'
export * from './plugins/apis.js'
