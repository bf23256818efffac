/** Help text, click-like, rendered from the registry: root, group and command levels. */
import { commandSwitches, GLOBAL_DEFS, type GlobalDef } from './globals.js'
import { commandShape, optionLabel, type OptionDef } from './options.js'
import type { Registry } from './registry.js'
import type { CommandSpec } from '../contract/spec.js'

function columns(rows: [string, string][], indent = 2): string {
  const width = Math.min(32, Math.max(0, ...rows.map(([a]) => a.length)))
  const pad = ' '.repeat(indent)
  return rows
    .map(([a, b]) => (a.length > width ? `${pad}${a}\n${pad}${' '.repeat(width + 2)}${b}` : `${pad}${a.padEnd(width)}  ${b}`))
    .join('\n')
}

function optionRows(defs: OptionDef[]): [string, string][] {
  return defs
    .filter((d) => !d.spec.hidden)
    .map((d) => {
      const label = [optionLabel(d), d.off.length ? d.off.join(', ') : ''].filter(Boolean).join(' / ')
      const extra = [
        d.spec.choices ? `[${d.spec.choices.join('|')}]` : '',
        d.spec.suggest ? `(${d.spec.suggest.join(', ')})` : '',
        defaultNote(d),
        d.spec.repeatable ? '(repeatable)' : '',
      ].filter(Boolean)
      return [label, [d.spec.description, ...extra].join(' ')]
    })
}

/** `[default: …]`, unless the description says it already; a switch pair names the switch that is on by default. */
function defaultNote(d: OptionDef): string {
  const value = d.spec.default
  if (value === undefined || /\[default:/.test(d.spec.description ?? '')) return ''
  if (typeof value === 'boolean' && d.off.length) return `[default: ${(value ? d.on : d.off)[0]}]`
  return value === false ? '' : `[default: ${value}]`
}

/**
 * Help fitted to a terminal `width` (undefined: as it is, for pipes and files): a longer line is wrapped at spaces,
 * its next lines indented to where its text starts, so a row's description stays in its column.
 */
export function wrapHelp(text: string, width?: number): string {
  if (!width) return text
  return text.split('\n').map((line) => wrapLine(line, width)).join('\n')
}

function wrapLine(line: string, width: number): string {
  if (line.length <= width) return line
  // A row: label, two spaces or more, description (the description's column is the indent); else the margin.
  const row = /^(\s*\S.*?\s{2,})\S/.exec(line)
  const indent = row && row[1].length <= width / 2 ? row[1].length : /^\s*/.exec(line)![0].length
  const room = Math.max(10, width - indent)
  const lines: string[] = []
  let current = ''
  for (const word of line.slice(indent).split(' ')) {
    if (current && current.length + 1 + word.length > room) {
      lines.push(current)
      current = word
    } else current = current ? `${current} ${word}` : word
  }
  lines.push(current)
  return lines.map((text, i) => (i === 0 ? line.slice(0, indent) : ' '.repeat(indent)) + text).join('\n')
}

/** Where help is shown: on the command line, or at the synadm> prompt (no `synadm` before commands, no -c). */
export type HelpPlace = 'cli' | 'shell'

const SHELL_INTRO = 'In the shell, type commands without "synadm": user list -l 5 · help COMMAND · exit (or Ctrl-D)'

export function rootHelp(registry: Registry, version: string, where: HelpPlace = 'cli'): string {
  const commands = registry.children('').filter((c) => !c.hidden)
  return [
    where === 'cli' ? 'Usage: synadm [OPTIONS] COMMAND [ARGS]...' : SHELL_INTRO,
    '',
    `  the Matrix-Synapse admin CLI and shell (version ${version}); run without a command for the synadm> shell`,
    '',
    ...globalOptions(where),
    '',
    'Commands:',
    columns(commands.map((c) => [c.word, c.description])),
    '',
  ].join('\n')
}

/** The global options shown here: the shell's lines may not give per-process ones. */
const globalsFor = (where: HelpPlace) => GLOBAL_DEFS.filter((d) => !d.spec.hidden && (where === 'cli' || !d.spec.perProcess))
const leadingOnly = (where: HelpPlace) => globalsFor(where).filter((d) => !d.spec.trailing)

/** The global options' rows, and where they may stand. */
const globalOptions = (where: HelpPlace) => ['Options:', columns(optionRows(globalsFor(where))), '', globalPlacement(where)]

/** Where global options may stand, from their declarations. */
function globalPlacement(where: HelpPlace): string {
  const example = where === 'cli' ? 'synadm user list --all -o jsonl' : 'user list --all -o jsonl'
  const only = leadingOnly(where).map((d) => d.on[0])
  return [
    '  These may also follow the command words where the command has no option of that name',
    `  (${example})${only.length ? `; ${only.join(', ')} only before them` : ''}.`,
  ].join('\n')
}

/**
 * The foot of a command's help: `Global options (before or after the command words): -v, --batch, -o FORMAT …`.
 * A global option the command shadows with a switch of its own (its -h, or a -o of its own) stands before only.
 */
function globalFooter(spec: CommandSpec, where: HelpPlace): string {
  const own = commandSwitches(spec)
  const label = (d: GlobalDef, name = d.on[0] ?? d.off[0]) => [name, ...d.values.map((v) => v.toUpperCase())].join(' ')
  const after: string[] = []
  const before: string[] = []
  for (const d of globalsFor(where).filter((d) => d.name !== 'help')) {
    const free = [...d.on, ...d.off].find((s) => !own.has(s))
    if (d.spec.trailing && free) after.push(label(d, free))
    else before.push(label(d))
  }
  return [
    `Global options (before or after the command words): ${after.join(', ')}`,
    before.length ? `; only before them: ${before.join(', ')}` : '',
    where === 'cli' ? '; see synadm --help' : '; see help',
  ].join('')
}

export function groupHelp(registry: Registry, group: string): string {
  const description = registry.groups.get(group)?.description ?? ''
  const commands = registry.children(group).filter((c) => !c.hidden)
  return [
    `Usage: synadm ${group} [OPTIONS] COMMAND [ARGS]...`,
    '',
    description ? `  ${description}\n` : '',
    'Options:',
    '  -h, --help  show this message and exit',
    '',
    'Commands:',
    columns(commands.map((c) => [c.word, c.description])),
    '',
  ].join('\n')
}

export function usageLine(spec: CommandSpec): string {
  const { args } = commandShape(spec)
  const argText = args.map((a) => {
    const name = a.name.toUpperCase() + (a.variadic ? '...' : '')
    return a.required ? name : `[${name}]`
  })
  return ['Usage: synadm', spec.path, '[OPTIONS]', ...argText].join(' ')
}

export function commandHelp(spec: CommandSpec, where: HelpPlace = 'cli'): string {
  const { args, options } = commandShape(spec)
  const argRows = args.filter((a) => a.description).map((a) => [a.name.toUpperCase(), a.description!] as [string, string])
  return [
    usageLine(spec),
    '',
    `  ${spec.description}`,
    spec.help ? '\n' + spec.help.replace(/^/gm, '  ') : '',
    argRows.length ? '\nArguments:\n' + columns(argRows) : '',
    '',
    'Options:',
    columns(optionRows(options)),
    '',
    globalFooter(spec, where),
    '',
  ].join('\n')
}

/** The shell's own commands, for its help. */
const SHELL_ROWS: [string, string][] = [
  ['watch [-n SECONDS] COMMAND…', 'rerun a command every SECONDS (2) and redraw its output, until Ctrl-C'],
  ['clear', 'clear the screen (also Ctrl-L)'],
  ['timing [on|off]', "print each command's duration"],
  ['history [COUNT]', 'list the latest lines (Ctrl-R searches them, ↑ walks those starting with what is typed)'],
  ['help [COMMAND]', 'this list, or the help of a command'],
  ['exit', 'leave the shell (also Ctrl-D)'],
]

/**
 * The shell's `help`: commands grouped by the plugin that provides them, built-in plugins first and
 * third-party plugins (configured, vorpal extensions) apart, then the shell's own commands.
 */
export function shellHelp(registry: Registry, plugins: { name: string; source: string; builtin: boolean }[]): string {
  const builtin = new Set(plugins.filter((p) => p.builtin).map((p) => p.name))
  const visible = registry.commands().filter((c) => !c.spec.hidden)
  const section = (names: string[], rows: (plugin: string) => [string, string][]) =>
    names
      .map((name) => ({ name, rows: rows(name) }))
      .filter((s) => s.rows.length)
      .map((s) => `  ${s.name}:\n${columns(s.rows, 4)}`)
      .join('\n')
  const pluginNames = [...new Set(visible.map((c) => c.plugin))]
  // Built-in plugins own top-level words: one row per word, the group's description when it is a group.
  const builtinRows = (plugin: string): [string, string][] => {
    const words = new Map<string, string>()
    for (const c of visible) {
      if (c.plugin !== plugin || words.has(c.words[0])) continue
      // A command in another plugin's group is listed with that group.
      if (c.words.length > 1 && registry.groups.get(c.words[0])?.plugin !== plugin) continue
      words.set(c.words[0], c.words.length > 1 ? (registry.groups.get(c.words[0])?.description ?? '') : c.spec.description)
    }
    return [...words]
  }
  // A third-party plugin may add to a built-in group: its commands are listed by their full path.
  const thirdPartyRows = (plugin: string): [string, string][] => visible.filter((c) => c.plugin === plugin).map((c) => [c.words.join(' '), c.spec.description])
  const third = pluginNames.filter((p) => !builtin.has(p))
  const sourceOf = (name: string) => plugins.find((p) => p.name === name)?.source
  return [
    SHELL_INTRO,
    '',
    ...globalOptions('shell'),
    '',
    'Commands by plugin:',
    section(pluginNames.filter((p) => builtin.has(p)), builtinRows),
    ...(third.length ? ['', 'Third-party plugins:', section(third, thirdPartyRows).replace(/^ {2}(\S+):$/gm, (line, name: string) => (sourceOf(name) && sourceOf(name) !== name ? `  ${name} (${sourceOf(name)}):` : line))] : []),
    '',
    'Shell:',
    columns(SHELL_ROWS),
    '',
    'Keys: Tab completes · Ctrl-R searches history · → takes the grey suggestion · Ctrl-L clears · Ctrl-C cancels',
    '',
  ].join('\n')
}
