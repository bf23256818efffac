/** Entry of the synadm binary (built to dist/cli/main.js; bin/synadm.js requires it through the code cache). */
import { main } from './core/app/start.js'
import { builtins } from './plugins/builtins.js'

// A reader that stops early (`synadm user list | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0)
    throw error
  })
}

void main(process.argv.slice(2), builtins).then((code) => {
  // Flush stdout before exiting: a pipe reader must get everything.
  process.stdout.write('', () => process.exit(code))
})
