/** Entry of the synadm binary (bundled to dist/synadm.js; bin/synadm.js imports it). */
import { main } from './core/main.js'
import { builtins } from './plugins/builtins.js'

const code = await main(process.argv.slice(2), builtins)
// Flush stdout before exiting: a pipe reader must get everything.
process.stdout.write('', () => process.exit(code))
