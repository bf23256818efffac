'use strict'
/**
 * vorpal-hello: an example vorpal extension. synadm loads it as it is, listed in the config:
 *
 *   plugins:
 *     - [./examples/vorpal-hello/index.js, { greeting: Hi }]
 *
 * The same function works with vorpal itself: `vorpal.use(require('vorpal-hello'), { greeting: 'Hi' })`.
 */
module.exports = function vorpalHello(vorpal, options) {
  const greeting = (options && options.greeting) || 'Hello'
  const chalk = vorpal.chalk

  vorpal
    .command('say <words...>', 'Say the words; every repetition is one record for the next command of a pipe')
    .option('-u, --upper', 'in capitals')
    .option('-r, --repeat <times>', 'how many times', ['1', '2', '3'])
    .action(function (args, callback) {
      const text = args.words.join(' ')
      for (let i = 0; i < (args.options.repeat || 1); i++) this.log(args.options.upper ? text.toUpperCase() : text)
      callback()
    })

  vorpal
    .command('reverse [text]', 'Reverse the text, or each record piped in')
    .action(function (args) {
      const text = args.stdin ? args.stdin[0] : args.text === undefined ? '' : String(args.text)
      this.log(Array.from(text).reverse().join(''))
      return Promise.resolve()
    })

  vorpal
    .command('greet', 'Ask for a name, then greet')
    .action(async function () {
      const answers = await this.prompt([
        { type: 'input', name: 'name', message: 'Your name?', validate: (value) => (value ? true : 'a name, please') },
        { type: 'confirm', name: 'loud', message: 'Loud?', default: false },
      ])
      const text = `${greeting}, ${answers.name}!`
      this.log(answers.loud ? chalk.bold(text.toUpperCase()) : text)
    })

  vorpal
    .command('twice <line...>', 'Run a synadm command line twice')
    .action(async function (args) {
      const line = args.line.join(' ')
      await vorpal.exec(line)
      await vorpal.exec(line)
    })

  vorpal
    .command('counter', 'Count the runs of this command (kept in vorpal.localStorage)')
    .action(function (args, callback) {
      vorpal.localStorage('vorpal-hello')
      const runs = Number(vorpal.localStorage.getItem('runs') || 0) + 1
      vorpal.localStorage.setItem('runs', runs)
      this.log(`run ${runs}`)
      callback()
    })

  vorpal
    .mode('echo', 'Echo every line, until exit')
    .delimiter('echo:')
    .init(function (args, callback) {
      this.log(`${greeting}! Lines are echoed; exit leaves.`)
      callback()
    })
    .action(function (line, callback) {
      this.log(`echo: ${line}`)
      callback()
    })
}
