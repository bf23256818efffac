#!/usr/bin/env node
// Thin shim: runs the bundled CLI, dist/synadm.cjs, with V8's code cache (see bin/code-cache.cjs), and gives it
// the one thing a CommonJS bundle cannot do itself: import() ES modules (plugins, JavaScript config files).
import { createRequire } from 'node:module'

globalThis[Symbol.for('synadm.import')] = (specifier) => import(specifier)
createRequire(import.meta.url)('./code-cache.cjs').run(new URL('../dist/synadm.cjs', import.meta.url))
