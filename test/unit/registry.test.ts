// Declarations are checked when registered: what could never work refuses the plugin (and takes back everything it
// registered), so a broken third-party plugin is reported as such instead of half-working.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadPlugin, type PluginStatus } from '../../core/plugin-host/loader.js'
import { definePlugin, PLUGIN_API_VERSION } from '../../core/contract/plugin.js'
import { checkDeclaration, Registry } from '../../core/cli/registry.js'
import type { CommandSpec } from '../../core/contract/spec.js'
import { runSynadm } from '../../core/app/in-process.js'
import { builtins } from '../../plugins/builtins.js'

beforeAll(() => nock.disableNetConnect())

const noop = async () => () => ({ ok: true })

/** Loads a plugin that declares a good command and then `spec`; returns its status and the registry. */
async function load(spec: Partial<CommandSpec>) {
  const registry = new Registry()
  const plugin = definePlugin({
    name: 'broken',
    apiVersion: PLUGIN_API_VERSION,
    setup(ctx) {
      ctx.group('bk', 'a plugin with a bad declaration')
      ctx.command({ path: 'bk fine', description: 'fine', load: noop })
      ctx.command({ path: 'bk bad', description: 'bad', load: noop, ...spec })
    },
  })
  const status: PluginStatus = { name: 'broken', source: './broken.js', builtin: false }
  await loadPlugin(registry, plugin, undefined, status)
  return { status, registry }
}

describe('addCommand refuses declarations that can never work', () => {
  it('an option group naming an option the command does not have refuses the plugin, rolled back', async () => {
    const { status, registry } = await load({
      options: [
        { flags: '--before <date>', description: 'before' },
        { flags: '--before-ts <ms>', type: 'int', description: 'before, in ms' },
      ],
      groups: [{ kind: 'exclusive', options: ['before', 'beforeTS'], title: 'Before' }],
    })
    expect(status.error).toBe("command 'bk bad': option group 'Before' names 'beforeTS', not options of the command (before, beforeTs, help)")
    // the good command registered before it is taken back too
    expect(registry.find('bk fine')).toBeUndefined()
    expect(registry.groups.has('bk')).toBe(false)
  })

  it.each([
    [{ options: [{ flags: '--x <v>', type: 'path' as never, description: 'x' }] }, "option '--x <v>' has type 'path'; types are string, int, bool, count, datetime, file"],
    [{ options: [{ flags: '-o, --order <by>', description: 'a' }, { flags: '-o, --other', description: 'b' }] }, "switch '-o' is declared twice ('-o, --order <by>', '-o, --other')"],
    [{ options: [{ flags: '--sort <by>', choices: ['name', 'size'], default: 'date', description: 's' }] }, "option '--sort <by>' defaults to 'date', which is not one of its choices"],
    [{ args: '[words...] <last>' }, 'argument WORDS takes the rest, so it must come last'],
    [{ args: '[first] <second>' }, 'required argument SECOND follows an optional one'],
    [{ groups: [{ kind: 'some' as never, options: [] }] }, "option group kind 'some'; kinds are exclusive, one, any"],
    [{ paged: { items: 'users' } }, "paged: the next-page token goes to option 'from', which the command does not declare"],
    [{ load: undefined as never }, 'no load() for its implementation'],
  ])('%#: %s', async (spec, why) => {
    const { status } = await load(spec)
    expect(status.error).toBe(`command 'bk bad': ${why}`)
  })

  it('the built-in plugins pass every check, and complete only from sources they provide', async () => {
    const result = await runSynadm(builtins, ['--help'])
    expect(result.session.plugins.filter((p) => p.error)).toEqual([])
    expect(result.session.plugins.length).toBe(builtins.length + 1)
    const registry = result.session.registry
    // built-ins are trusted at start (their checks would cost every run): here each declaration is checked
    for (const { spec } of registry.commands()) expect(() => checkDeclaration(spec, spec.path)).not.toThrow()
    const known = new Set([...registry.completionSources.keys(), ...registry.wordCompleters.keys()])
    const named = registry.commands().flatMap(({ spec }) => [
      ...(spec.options ?? []).map((o) => o.complete),
      ...Object.values(spec.argInfo ?? {}).map((a) => a.complete),
    ])
    expect(named.filter((name) => name !== undefined && !known.has(name))).toEqual([])
  })
})

describe('command paths of any depth match', () => {
  it('a seven-word command runs, and its groups list it', async () => {
    const deep = definePlugin({
      name: 'deep',
      apiVersion: PLUGIN_API_VERSION,
      setup(ctx) {
        ctx.command({ path: 'a b c d e f g', description: 'deep', args: '<x>', offline: true, load: async () => (ctx) => ({ x: ctx.args.x }) })
        ctx.command({ path: 'a b c d e f h i', description: 'deeper', offline: true, aliases: ['shallow'], load: async () => () => ({ deeper: true }) })
      },
    })
    const run = await runSynadm([deep], ['-o', 'json', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'y'])
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(JSON.parse(run.stdout)).toEqual({ x: 'y' })
    expect(JSON.parse((await runSynadm([deep], ['-o', 'json', 'a', 'b', 'c', 'd', 'e', 'f', 'h', 'i'])).stdout)).toEqual({ deeper: true })
    const group = await runSynadm([deep], ['a', 'b', 'c', 'd', 'e', 'f', '--help'])
    expect(group.stdout).toMatch(/^ {2}g +deep$/m)
    expect(group.stdout).toMatch(/^ {2}h +$/m)
  })
})

describe("type: 'file' names a file to read", () => {
  const reader = definePlugin({
    name: 'reader',
    apiVersion: PLUGIN_API_VERSION,
    setup(ctx) {
      ctx.command({
        path: 'read',
        description: 'read a file',
        offline: true,
        options: [{ flags: '-f, --file <file>', type: 'file', description: 'the file (- = stdin)' }],
        load: async () => async (ctx) => ({ text: await ctx.readFile(String(ctx.options.file)) }),
      })
    },
  })

  it('reads an existing file, or stdin for -', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'synadm-file-')), 'in.txt')
    writeFileSync(file, 'hello')
    expect(JSON.parse((await runSynadm([reader], ['-o', 'json', 'read', '-f', file])).stdout)).toEqual({ text: 'hello' })
    expect(JSON.parse((await runSynadm([reader], ['-o', 'json', 'read', '-f', '-'], { input: 'piped' })).stdout)).toEqual({ text: 'piped' })
  })

  it('refuses a missing file or a folder when the command line is read, before the action runs', async () => {
    const missing = await runSynadm([reader], ['read', '-f', '/nonexistent/in.txt'])
    expect(missing).toMatchObject({ code: 2, stdout: '' })
    expect(missing.stderr).toContain("synadm: Invalid value for '-f': '/nonexistent/in.txt': No such file or directory.")
    const folder = await runSynadm([reader], ['read', '--file', tmpdir()])
    expect(folder.stderr).toContain(`synadm: Invalid value for '--file': '${tmpdir()}': Is a directory.`)
  })
})
