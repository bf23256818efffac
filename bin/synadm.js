#!/usr/bin/env node
// Thin shim: runs the bundled CLI, dist/cli/main.js and the chunks it requires, with V8's code cache (see
// bin/code-cache.cjs), and gives it the one thing CommonJS files run that way cannot do themselves: import() ES
// modules (plugins, JavaScript config files). A CommonJS file itself (bin/package.json), so that Node does not
// start its ES module loader for it.
'use strict'

// The oldest Node.js synadm runs on (package.json `engines`), checked before anything else loads: an older Node
// would otherwise fail later, somewhere, with an error that does not say why.
const NODE_MIN = [20, 12]
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < NODE_MIN[0] || (major === NODE_MIN[0] && minor < NODE_MIN[1])) {
  process.stderr.write(`synadm: needs Node.js ${NODE_MIN.join('.')} or newer; this is Node.js ${process.versions.node} (${process.execPath})\n`)
  process.exit(1)
}

globalThis[Symbol.for('synadm.import')] = (specifier) => import(specifier)
require('./code-cache.cjs').run(require('node:path').join(__dirname, '..', 'dist', 'cli', 'main.js'))
