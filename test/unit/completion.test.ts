// Shell completion in-process: the scripts, and the completion server answering from the one completion engine
// (declarations and cached values only: no request, no command implementation loaded).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import tabtab from '@pnpm/tabtab'
import { beforeAll, describe, expect, it } from 'vitest'
import { answerLines, completionRequest } from '../../core/commands/shell-completion.js'
import { complete, CompletionCache, LiveCompletion, type Completion } from '../../core/shell/completion.js'
import { definePlugin, installPlugin, PLUGIN_API_VERSION } from '../../core/contract/plugin.js'
import { Registry, type CompletionProvider } from '../../core/cli/registry.js'
import { runSynadm } from '../../core/app/in-process.js'
import { wordCompleter } from '../../core/vorpal/autocomplete.js'
import { builtins } from '../../plugins/builtins.js'

let implementationsLoaded = 0
// A plugin whose implementations must never load during completion, with a live source whose fetcher must never run.
const palette = definePlugin({
  name: 'palette',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    ctx.group('paint', 'Paint things')
    ctx.completionSource('color', async () => {
      throw new Error('completion must not fetch')
    })
    const load = async () => {
      implementationsLoaded++
      return () => 'painted'
    }
    ctx.command({
      path: 'paint wall',
      description: 'Paint a wall',
      args: '<color>',
      argInfo: { color: { complete: 'color' } },
      options: [
        { flags: '-f, --finish <finish>', choices: ['matt', 'gloss'], description: 'the finish' },
        { flags: '--dry-run', description: 'only say what would be painted' },
      ],
      load,
    })
  },
})

function cacheDir(values: Record<string, string[]>): string {
  const dir = mkdtempSync(join(tmpdir(), 'synadm-completion-'))
  mkdirSync(join(dir, 'synadm'))
  const data = Object.fromEntries(Object.entries(values).map(([source, list]) => [source, { values: list, updated: Date.now() }]))
  writeFileSync(join(dir, 'synadm', 'completion.json'), JSON.stringify(data))
  return dir
}

/** What the shell scripts do on Tab: the line before the cursor in COMP_LINE/COMP_POINT, the shell in SHELL. */
async function tab(line: string, shell = 'bash', cache = cacheDir({})) {
  const env = { COMP_LINE: line, COMP_POINT: String(line.length), COMP_CWORD: String(line.split(' ').length - 1), SHELL: shell, XDG_CACHE_HOME: cache }
  const result = await runSynadm([...builtins, palette], ['completion-server', '--', ...line.split(' ')], { env })
  return { ...result, lines: result.stdout.split('\n').filter(Boolean) }
}

beforeAll(() => nock.disableNetConnect())

describe('completion-server', () => {
  it('completes command words and groups', async () => {
    expect((await tab('synadm ver')).lines).toEqual(['version'])
    expect((await tab('synadm us')).lines).toEqual(['user'])
    expect((await tab('synadm pa')).lines).toEqual(['paint'])
    expect((await tab('synadm paint ')).lines).toEqual(['wall'])
    expect((await tab('synadm -o json pai')).lines).toEqual(['paint'])
    expect((await tab('synadm -o j')).lines).toEqual(['json', 'jsonl'])
  })

  it('lists options, option values and cached live values, and never runs a command or a fetch', async () => {
    const options = (await tab('synadm user list --')).lines
    expect(options).toEqual(expect.arrayContaining(['--from', '--limit', '--guests', '--no-guests', '--deactivated', '--all', '--help']))
    expect((await tab('synadm paint wall --')).lines).toEqual(['--finish', '--dry-run', '--help', '--verbose', '--batch', '--output', '--columns', '--server', '--version'])
    // global options may follow the command words: their values, then the command's positional again
    expect((await tab('synadm paint wall -o j')).lines).toEqual(['json', 'jsonl'])
    expect((await tab('synadm paint wall --batch --output json --fi')).lines).toEqual(['--finish'])
    expect((await tab('synadm paint wall --finish ')).lines).toEqual(['matt', 'gloss'])
    const cache = cacheDir({ color: ['red', 'green', 'grey'] })
    expect((await tab('synadm paint wall g', 'bash', cache)).lines).toEqual(['green', 'grey'])
    expect(implementationsLoaded).toBe(0)
  })

  it('answers each shell in its format', async () => {
    expect((await tab('synadm paint ', 'zsh')).lines).toEqual(['wall:Paint a wall'])
    expect((await tab('synadm paint ', 'fish')).lines).toEqual(['wall\tPaint a wall'])
    const cache = cacheDir({ color: ['@alice:example.org'] })
    // zsh separates value and description with ':' — a value's own colons are escaped
    expect((await tab('synadm paint wall @', 'zsh', cache)).lines).toEqual(['@alice\\:example.org'])
    expect((await tab('synadm paint wall @', 'bash', cache)).lines).toEqual(['@alice:example.org'])
  })

  it('prints nothing outside a completion request, and is not listed in help', async () => {
    const result = await runSynadm(builtins, ['completion-server'])
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' })
    const help = await runSynadm(builtins, ['--help'])
    expect(help.stdout).toMatch(/^ {2}completion +Shell completion/m)
    expect(help.stdout).not.toContain('completion-server')
  })
})

describe("the completion server's side of tabtab's protocol", () => {
  it('reads the request as tabtab.parseEnv does', () => {
    const envs = [
      { COMP_LINE: 'synadm us', COMP_POINT: '9', COMP_CWORD: '1' },
      { COMP_LINE: 'synadm user list --li', COMP_POINT: '12', COMP_CWORD: '2' },
      { COMP_LINE: 'synadm us ', COMP_POINT: '9', COMP_CWORD: '2' },
      { COMP_LINE: 'synadm ', COMP_POINT: 'x', COMP_CWORD: '1' },
      { COMP_LINE: 'synadm us', COMP_POINT: '', COMP_CWORD: '1' },
      { COMP_LINE: '', COMP_POINT: '0', COMP_CWORD: '0' },
    ]
    for (const env of envs) {
      const theirs = tabtab.parseEnv(env)
      expect(completionRequest(env)?.beforeCursor).toBe(theirs.complete ? theirs.partial : undefined)
    }
    expect(completionRequest({ COMP_LINE: 'a', COMP_POINT: '1', COMP_CWORD: '0', SHELL: '/usr/bin/fish' })?.shell).toBe('fish')
    expect(completionRequest({ COMP_LINE: 'a', COMP_POINT: '1', COMP_CWORD: '0', SHELL: 'tcsh' })?.shell).toBe('bash')
  })

  it('writes the answer as tabtab.log does, in every shell', () => {
    const candidates = [{ value: 'user', description: 'Users: list, add' }, { value: '@alice:example.org' }, { value: '--limit', description: '' }]
    for (const shell of ['bash', 'zsh', 'fish', 'pwsh'] as const) {
      const theirs: string[] = []
      tabtab.log(candidates.map((c) => ({ name: c.value, description: c.description ?? '' })), shell, (line) => void theirs.push(line))
      expect({ shell, lines: answerLines(candidates, shell) }).toEqual({ shell, lines: theirs })
    }
  })
})

describe('completion scripts', () => {
  it('prints the script of each shell, calling synadm completion-server', async () => {
    const bash = await runSynadm(builtins, ['completion', 'bash'])
    expect(bash.stdout).toContain('complete -o default -F _synadm_completion synadm')
    expect(bash.stdout).toContain('synadm completion-server -- "${words[@]}"')
    expect((await runSynadm(builtins, ['completion', 'zsh'])).stdout).toContain('compdef _synadm_completion synadm')
    expect((await runSynadm(builtins, ['completion', 'fish'])).stdout).toContain("complete -f -d 'synadm' -c synadm")
    expect((await runSynadm(builtins, ['completion', 'pwsh'])).stdout).toContain('Register-ArgumentCompleter')
    const bare = await runSynadm(builtins, ['completion'])
    expect(bare.code).toBe(2)
    expect(bare.stderr).toMatch(/^ {2}install +Install completion/m)
  })

  it('install needs a shell it can tell', async () => {
    const result = await runSynadm(builtins, ['completion', 'install'], { env: { SHELL: '/bin/tcsh' } })
    expect(result.code).toBe(2)
    expect(result.stderr).toBe("synadm: cannot tell your shell from SHELL='/bin/tcsh'\nhint: give --shell bash|zsh|fish|pwsh\n")
    expect((await runSynadm(builtins, ['completion', 'install', '--shell', 'tcsh'])).code).toBe(2)
  })
})

describe('word completers (vorpal sources) in the engine', () => {
  const registryWith = (source: Parameters<typeof wordCompleter>[0]) => {
    const registry = new Registry()
    registry.addCommand({ path: 'open', description: '', args: '[file]', argInfo: { file: { complete: 'files' } }, load: async () => () => undefined }, 'test')
    registry.wordCompleters.set('files', { complete: wordCompleter(source), plugin: 'test' })
    return registry
  }

  it('uses arrays and sync functions now, coloured values stripped, values after the last slash', () => {
    expect(complete(registryWith(['alpha', '\u001b[36mbeta\u001b[39m']), 'open b').candidates).toEqual([{ value: 'beta' }])
    expect(complete(registryWith((input) => [`${input.length}x`, 'other']), 'open docs/').candidates.map((c) => c.value)).toEqual(['docs/5x', 'docs/other'])
  })

  it('never waits: an answer that comes later is there from the next Tab', async () => {
    const registry = registryWith((input: string, callback?: (values: string[]) => void) => void setTimeout(() => callback!([`${input}one`, `${input}two`]), 5))
    expect(complete(registry, 'open x').candidates).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(complete(registry, 'open x').candidates.map((c) => c.value)).toEqual(['xone', 'xtwo'])
    const promised = registryWith(async (input: string) => [`${input}!`])
    expect(complete(promised, 'open y').candidates).toEqual([])
    await Promise.resolve()
    expect(complete(promised, 'open y').candidates.map((c) => c.value)).toEqual(['y!'])
  })
})

describe('completion on big servers', () => {
  // A server with 3000 users and rooms, of which the cache holds the first 1000; its search is slow or quick.
  const USERS = Array.from({ length: 3000 }, (_, i) => `@u${String(i).padStart(4, '0')}:big.test`)
  function bigServer(searchDelayMs: number) {
    const searched: string[] = []
    const registry = new Registry()
    const plugin = definePlugin({
      name: 'big',
      apiVersion: PLUGIN_API_VERSION,
      setup(ctx) {
        ctx.completionSource('user_id', async () => ({
          fetch: async () => ({ values: USERS.slice(0, 1000), partial: true }),
          async search(_api, prefix) {
            searched.push(prefix)
            await new Promise((done) => setTimeout(done, searchDelayMs))
            return USERS.filter((u) => u.includes(prefix)).slice(0, 100)
          },
        }))
        ctx.completionSource('room_alias', async () => ({ fetch: async () => ({ values: ['#lobby:big.test'], partial: false }) }))
        ctx.completionSource('room_id', async () => ({ fetch: async () => ({ values: ['!a:big.test'], partial: false }) }))
        ctx.command({ path: 'who', description: 'a user', args: '<user_id>', argInfo: { user_id: { complete: 'user_id', id: 'user' } }, load: async () => () => 'x' })
        ctx.command({ path: 'where', description: 'a room', args: '<room>', argInfo: { room: { complete: 'room_id', id: 'room_or_alias' } }, load: async () => () => 'x' })
      },
    })
    return { registry, plugin, searched }
  }
  async function engine(searchDelayMs: number) {
    const server = bigServer(searchDelayMs)
    await installPlugin(server.registry, server.plugin)
    const cache = new CompletionCache(join(mkdtempSync(join(tmpdir(), 'synadm-big-')), 'completion.json'))
    const live = new LiveCompletion(server.registry, cache, async () => (async () => ({})) as never)
    for (const source of ['user_id', 'room_alias', 'room_id']) await live.refresh(source)
    return { ...server, live, cache }
  }
  const values = (c: Completion) => c.candidates.map((x) => x.value)

  it('a user beyond the first 1000 comes from the search, and joins the cache', async () => {
    const { live, cache, searched } = await engine(5)
    expect(values(await live.complete('who @u25'))).toEqual(USERS.slice(2500, 2600))
    expect(searched).toEqual(['@u25'])
    expect(cache.values('user_id')).toContain('@u2599:big.test')
    // Enough cached matches: no search.
    expect(values(await live.complete('who @u0'))).toHaveLength(1000)
    expect(searched).toEqual(['@u25'])
  })

  it('localparts where a user argument takes them, aliases where a room argument does', async () => {
    const { live, searched } = await engine(5)
    expect(values(await live.complete('who u000'))).toEqual(['u0000', 'u0001', 'u0002', 'u0003', 'u0004', 'u0005', 'u0006', 'u0007', 'u0008', 'u0009'])
    expect(values(await live.complete('who u2999'))).toEqual(['u2999'])
    expect(searched).toContain('@u2999')
    expect(values(await live.complete('where #lob'))).toEqual(['#lobby:big.test'])
    expect(values(await live.complete('where !'))).toEqual(['!a:big.test'])
  })

  it('a slow search does not hold the Tab past the deadline; its answer is there on the next Tab', async () => {
    const { live } = await engine(1500)
    const started = Date.now()
    expect(values(await live.complete('who @u27', 50))).toEqual([])
    // Generous against a busy machine, and still far below the search's 1500 ms.
    expect(Date.now() - started).toBeLessThan(1000)
    await new Promise((done) => setTimeout(done, 1600))
    expect(values(await live.complete('who @u27', 50))).toHaveLength(100)
  })

  it('a failed search leaves the cached answer and is tried again', async () => {
    let calls = 0
    const live = await liveUserCompletion('flaky', { fetch: async () => ({ values: [], partial: true }), search: async () => { calls++; throw new Error('down') } })
    expect(values(await live.complete('who @a'))).toEqual([])
    expect(values(await live.complete('who @a'))).toEqual([])
    expect(calls).toBe(2)
  })
})

/** Live completion over one plugin: a `user_id` source as given and the command `who <user_id>` that uses it. */
async function liveUserCompletion(name: string, source: CompletionProvider) {
  const registry = new Registry()
  await installPlugin(registry, definePlugin({
    name,
    apiVersion: PLUGIN_API_VERSION,
    setup(ctx) {
      ctx.completionSource('user_id', async () => source)
      ctx.command({ path: 'who', description: 'a user', args: '<user_id>', argInfo: { user_id: { complete: 'user_id', id: 'user' } }, load: async () => () => 'x' })
    },
  }))
  return new LiveCompletion(registry, new CompletionCache(join(mkdtempSync(join(tmpdir(), `synadm-${name}-`)), 'c.json')), async () => (async () => ({})) as never)
}

describe('completion cache refreshes', () => {
  it('a refresh that lands after a search does not lose the searched values for good', async () => {
    let searches = 0
    const live = await liveUserCompletion('refresh', {
      fetch: async () => ({ values: ['@a:s'], partial: true }),
      search: async () => { searches++; return ['@zed:s'] },
    })
    expect((await live.complete('who @z')).candidates.map((c) => c.value)).toEqual(['@zed:s'])
    await live.refresh('user_id')
    expect((await live.complete('who @z')).candidates.map((c) => c.value)).toEqual(['@zed:s'])
    expect(searches).toBe(2)
  })
})
