/** Help text, click-like, rendered from the registry: root, group and command levels. */
import { GLOBAL_OPTIONS } from './globals.js'
import { commandShape, defineOption, optionLabel, type OptionDef } from './options.js'
import type { Registry } from './registry.js'
import type { CommandSpec } from './spec.js'

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

export function rootHelp(registry: Registry, version: string): string {
  const commands = registry.children('').filter((c) => !c.hidden)
  return [
    'Usage: synadm [OPTIONS] COMMAND [ARGS]...',
    '',
    `  the Matrix-Synapse admin CLI and shell (version ${version}); run without a command for the synadm> shell`,
    '',
    'Options:',
    optionRows(GLOBAL_OPTIONS.map(defineOption)).length ? columns(optionRows(GLOBAL_OPTIONS.map(defineOption))) : '',
    '',
    'Commands:',
    columns(commands.map((c) => [c.word, c.description])),
    '',
  ].join('\n')
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

export function commandHelp(spec: CommandSpec): string {
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
    'Global options (before the command words): -v, --batch, -o FORMAT, -c FILE; see synadm --help',
    '',
  ].join('\n')
}
