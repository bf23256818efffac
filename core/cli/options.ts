/** Reads the click-style flag strings of OptionSpecs into a form the parser and help can use. */
import type { PlanSpec } from '../contract/plan.js'
import type { ArgSpec, CommandSpec, OptionSpec, OptionType } from '../contract/spec.js'
import { whereProblem } from './where.js'

export interface OptionDef {
  /** camelCase of the first long name: `--user-id` → `userId`, `--no-color` alone → `color` */
  key: string
  /** switches that set the option (or give its value) */
  on: string[]
  /** switches of the off side of an on/off pair (`-G, --no-guests`) */
  off: string[]
  /** placeholders of the value(s): `<n>` → ['n']; `<medium> <address>` → two values */
  values: string[]
  /** `[value]`: the value may be left out (vorpal style); the option is then `true` */
  optionalValue: boolean
  type: OptionType
  spec: OptionSpec
  /** what is wrong with a value, checked when the line is read (a core option's own grammar: --where) */
  check?: (raw: string) => string | undefined
}

const camel = (name: string) => name.replace(/^-+/, '').replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())

export function defineOption(spec: OptionSpec): OptionDef {
  const [onPart, offPart = ''] = spec.flags.split(' / ')
  const on: string[] = []
  const values: string[] = []
  let optionalValue = false
  for (const word of onPart.split(/[\s,]+/).filter(Boolean)) {
    if (word.startsWith('<')) values.push(word.slice(1, -1))
    else if (word.startsWith('[')) {
      values.push(word.slice(1, -1))
      optionalValue = true
    } else on.push(word)
  }
  const off = offPart.split(/[\s,]+/).filter(Boolean)
  let long = on.find((n) => n.startsWith('--')) ?? on[0]
  // A lone `--no-x` (vorpal style) is the off switch of x.
  if (on.length === 1 && long.startsWith('--no-') && values.length === 0) {
    off.push(...on.splice(0))
    long = '--' + long.slice(5)
  }
  const type: OptionType = spec.type ?? (values.length > 0 ? 'string' : 'bool')
  return { key: camel(long), on, off, values, optionalValue, type, spec }
}

const ARG_RE = /(<[^>]+>|\[[^\]]+\])/g

/** `<user_id> [alias] [words...]` → ArgSpecs */
export function parseArgSyntax(syntax: string): ArgSpec[] {
  return (syntax.match(ARG_RE) ?? []).map((token) => {
    const inner = token.slice(1, -1).trim()
    const variadic = inner.endsWith('...') || inner.startsWith('...')
    return { name: inner.replace(/\.\.\./g, ''), required: token.startsWith('<'), variadic }
  })
}

export interface CommandShape {
  args: ArgSpec[]
  options: OptionDef[]
  /** the argument --targets stands for: the first one, when it takes an ID kind */
  target?: ArgSpec
}

const shapes = new WeakMap<CommandSpec, CommandShape>()

/** Options a core behaviour adds to every command that declares it. */
export const ALL_OPTION: OptionSpec = { flags: '--all', description: 'print every page, not just the first (what -o csv and -o jsonl do unless a page option is given)' }
export const WAIT_OPTION: OptionSpec = { flags: '--wait', description: 'wait until the server job has finished' }
export const HELP_OPTION: OptionSpec = { flags: '-h, --help', description: 'show this message' }
export const TARGETS_OPTION: OptionSpec = { flags: '--targets <file>', type: 'file', description: "run for every target in FILE instead of the argument: one a line or JSON lines ('-' = stdin, '#' comments)" }
/** Targets a bulk run runs at once without --concurrency, unless the command declares its own number.
 * 8 measured fastest against a local Synapse on 2 shared cores (shadow-ban: 2, 4, 8, 16; no 429, no error). */
export const DEFAULT_CONCURRENCY = 8
const concurrencyOption = (spec: CommandSpec): OptionSpec => ({ flags: '--concurrency <n>', type: 'int', min: 1, description: `targets run at once (default ${spec.bulk?.concurrency ?? DEFAULT_CONCURRENCY}; one 429 pause for all)` })
export const JOURNAL_OPTION: OptionSpec = { flags: '--journal <file>', description: 'record each finished target in FILE; the same command with the same journal skips what is done' }
export const DRY_RUN_OPTION: OptionSpec = { flags: '--dry-run', description: 'do the reads, show what would change, send no write' }
export const WHERE_OPTION: OptionSpec = {
  flags: '--where <expr>',
  repeatable: true,
  description: "only the items where FIELD OP VALUE holds: = != < <= > >= (a number, date, true/false, null or text), ~ !~ (a regex, any case); ANDed",
}

/** The key of the records a list command prints (a paged one's items; an unpaged one's `list`); '' when the reply is the list. */
export function listItems(spec: CommandSpec): string | undefined {
  return spec.paged?.items ?? (spec.list ? (spec.list.items ?? '') : undefined)
}

/** Does the command send writes (a dry run then means something)? */
export const writes = (spec: CommandSpec) => Boolean(spec.writes || spec.destructive)

export const STEPS_OPTION: OptionSpec = { flags: '--steps <names>', description: 'run exactly these steps, comma-separated (the names of the switches below), in the plan\'s order' }
export const EVIDENCE_OPTION: OptionSpec = { flags: '--evidence <dir>', description: 'first write what each target\'s steps will destroy into DIR (created 0700, files 0600)' }

/** A plan's own options: --steps, a switch pair per step, the steps' options, --evidence. */
function planOptions(plan: PlanSpec): OptionSpec[] {
  const switches = plan.steps.map((step): OptionSpec => ({ flags: `--${step.name} / --no-${step.name}`, type: 'bool', description: `${step.default === false ? 'also ' : ''}${step.does.replace(/\{target\}/g, 'the target')}${step.default === false ? '' : ' (default)'}` }))
  return [STEPS_OPTION, ...switches, ...plan.steps.flatMap((step) => step.options ?? []), ...(plan.evidence ? [EVIDENCE_OPTION] : [])]
}

/** Forgets a command's shape, after a plugin added a step (and so options) to its plan. */
export const forgetShape = (spec: CommandSpec) => void shapes.delete(spec)

export function commandShape(spec: CommandSpec): CommandShape {
  let shape = shapes.get(spec)
  if (!shape) {
    const args = typeof spec.args === 'string' ? parseArgSyntax(spec.args) : [...(spec.args ?? [])]
    for (const arg of args) Object.assign(arg, spec.argInfo?.[arg.name])
    const options = [...(spec.options ?? []), ...(spec.plan ? planOptions(spec.plan) : [])]
    if (spec.paged) options.push(ALL_OPTION)
    // a plan's steps wait for their jobs themselves
    if (spec.job && !spec.plan) options.push(WAIT_OPTION)
    const defs = options.map(defineOption)
    const taken = new Set(defs.flatMap((d) => [...d.on, ...d.off]))
    // Bulk and dry-run switches come from the declaration; a command's own switch of the same name wins.
    const target = args[0]?.id && !args[0].variadic ? args[0] : undefined
    const core: OptionSpec[] = []
    if (target) core.push(TARGETS_OPTION)
    if (target || spec.bulk) core.push(concurrencyOption(spec), JOURNAL_OPTION)
    if (writes(spec)) core.push(DRY_RUN_OPTION)
    if (listItems(spec) !== undefined) core.push(WHERE_OPTION)
    for (const def of core.map(defineOption)) {
      if (def.spec === WHERE_OPTION) def.check = whereProblem
      if (def.on.some((s) => taken.has(s))) continue
      defs.push(def)
      for (const s of def.on) taken.add(s)
    }
    // -h/--help are help's unless the command uses them (vorpal-grep's `-h, --no-filename`).
    const helpSwitches = ['-h', '--help'].filter((s) => !taken.has(s))
    if (helpSwitches.length) defs.push(defineOption({ ...HELP_OPTION, flags: helpSwitches.join(', ') }))
    shape = { args, options: defs, target }
    shapes.set(spec, shape)
  }
  return shape
}

export function optionLabel(def: OptionDef): string {
  return [def.on.join(', '), ...def.values.map((v) => (def.optionalValue ? `[${v}]` : `<${v}>`))].filter(Boolean).join(' ')
}

export const displayName = (def: OptionDef) => def.on.concat(def.off).filter((n) => n.startsWith('--')).join(' / ') || def.on[0]
