/**
 * Runs a plan command (core/contract/plan.ts): its steps over one or many targets, on the bulk engine.
 *
 * 1. The steps chosen (--steps, or the defaults and the `--NAME / --no-NAME` switches) and the targets are read, and
 *    the evidence folder is made and checked: a problem with any of them is found before anything is sent.
 * 2. Survey: for every target still to run (a resumed run skips the done ones), the plan's refusals and every chosen step's survey, reads only (a write there is a
 *    bug and fails the run). So everything a step needs is known before the first write on any target — redacting
 *    a spam account also redacts the names of the rooms it made. A refused target refuses the whole run.
 * 3. One preview, target by step, with what each step will affect; one confirmation; a dry run stops here.
 * 4. Each target on its own context (--concurrency): its evidence, then its steps in order, each journaled. A failed
 *    step stops that target's later steps; the others go on. A plan always keeps a journal (--journal, else one in
 *    the state folder), so an interrupted run names the command that goes on, inside the target it stopped in.
 */
import { join } from 'node:path'
import type { PlanSpec, PlanTarget, StepAction, StepSpec, StepSurvey } from '../contract/plan.js'
import type { Invocation, RunContext } from '../contract/run-context.js'
import { SynadmError, toSynadmError, usageError } from '../kernel/errors.js'
import { stateDir } from '../kernel/dirs.js'
import { commandShape } from '../cli/options.js'
import { format } from '../output/formats.js'
import { bulkFailureOf, type BulkItem, type ContextFactory, type CoreContext } from '../run/context.js'
import { privateFolder } from '../run/evidence.js'
import { quote } from '../run/audit.js'
import { runBulk, targetRun, type StepRecord } from './bulk.js'

/** A chosen step with its implementation loaded. */
interface LoadedStep {
  spec: StepSpec
  action: StepAction
}

/** What the survey found about one target. */
interface Surveyed extends PlanTarget {
  /** each chosen step's survey */
  surveys: Record<string, StepSurvey | undefined>
  refusals: string[]
}

/** Runs the plan of `ctx.command`: the executor's mode for a command declared with PluginContext.plan. */
export async function runPlan(ctx: CoreContext, contextFor: ContextFactory): Promise<void> {
  const plan = ctx.command.plan!
  const chosen = chosenSteps(ctx, plan)
  const run = await targetRun(ctx, contextFor)
  const evidence = typeof ctx.options.evidence === 'string' ? privateFolder(ctx.options.evidence) : undefined
  const steps = await Promise.all(chosen.map(async (spec) => ({ spec, action: await spec.load() })))
  const surveyOf = async (targets: string[]) => {
    const surveyed = await survey(ctx, contextFor, run.invocationFor, plan, steps, targets)
    refuseTargets(surveyed)
    return surveyed
  }
  if (ctx.dryRun) {
    const surveyed = await surveyOf(run.items.map((item) => item.target))
    ctx.session.io.stdout.write(await format(ctx.format, previewRows(surveyed, steps), ctx.tables))
    return ctx.note(`synadm: dry run: ${surveyed.size} target(s) surveyed, nothing written`)
  }
  const typedJournal = ctx.options.journal as string | undefined
  const journal = typedJournal ?? defaultJournal(ctx)
  ctx.options.journal = journal
  // Every write of the run names the folder holding what it destroyed (the targets share this subject).
  if (evidence) ctx.audit.evidence = evidence
  const collect = evidence && plan.evidence ? await plan.evidence() : undefined
  let surveyed = new Map<string, Surveyed>()
  const summary = await runBulk({
    ...run,
    // Only the targets still to run are surveyed: a resumed run's done ones may be gone (a purged room).
    beforeRun: async (todo) => {
      surveyed = await surveyOf(todo.map((item) => item.target))
      await confirmPlan(ctx, previewRows(surveyed, steps), todo, chosen, journal)
    },
    each: async (target: string, targetCtx: RunContext, record: StepRecord) => {
      const t = surveyed.get(target)!
      const done: Record<string, unknown> = {}
      if (collect && evidence) await journaledStep(record, 'evidence', true, done, async () => (await targetCtx.saveEvidence(evidence, target, await collect(targetCtx, target))).length + ' files')
      for (const { spec, action } of steps) {
        if (t.surveys[spec.name]?.nothingToDo) done[spec.name] = 'nothing to do'
        else await journaledStep(record, spec.name, spec.idempotent ?? false, done, () => action.run(targetCtx, t), notRun(steps, spec))
      }
      return done
    },
    resultColumns: (entry) => Object.fromEntries([...(collect ? ['evidence'] : []), ...chosen.map((s) => s.name)].map((name) => [name, briefly((entry.result as Record<string, unknown> | undefined)?.[name])])),
  })
  const failure = bulkFailureOf(summary, journal)
  if (failure) throw typedJournal === undefined && ctx.options.targets !== '-' ? withResumeLine(ctx, failure, journal) : failure
}

/**
 * The hint of a run that stopped or had failures names the whole line that goes on, the journal synadm chose added:
 * typed again (in the shell without `synadm`), it resumes inside each target. (A list read from stdin cannot be
 * replayed: the general hint stays.)
 */
function withResumeLine(ctx: CoreContext, failure: SynadmError, journal: string): SynadmError {
  const line = `${ctx.audit.command} --journal ${quote(journal)}`
  const typed = ctx.inShell ? line.replace(/^synadm /, '') : line
  const hint = `${failure.kind === 'partial' ? 'fix the cause, then go on' : 'go on'} with: ${typed}`
  return new SynadmError(failure.kind, failure.message, { hint, status: failure.status, errcode: failure.errcode })
}

/** The steps to run, in the plan's order: --steps, else the defaults changed by the switches typed. */
function chosenSteps(ctx: RunContext, plan: PlanSpec): StepSpec[] {
  const known = plan.steps.map((s) => s.name)
  const keyOf = stepKeys(ctx)
  let chosen: StepSpec[]
  if (typeof ctx.options.steps === 'string') {
    const named = ctx.options.steps.split(',').map((n) => n.trim()).filter(Boolean)
    const unknown = named.filter((n) => !known.includes(n))
    if (unknown.length) throw usageError(`Invalid value for '--steps': no step ${unknown.map((n) => `'${n}'`).join(', ')}`, `the steps of '${ctx.command.path}': ${known.join(', ')}`)
    const switched = plan.steps.filter((s) => ctx.given.has(keyOf(s)))
    if (switched.length) throw usageError(`--steps names the steps itself: leave out ${switched.map((s) => `--${ctx.options[keyOf(s)] === false ? 'no-' : ''}${s.name}`).join(', ')}`)
    chosen = plan.steps.filter((s) => named.includes(s.name))
  } else {
    chosen = plan.steps.filter((s) => (ctx.given.has(keyOf(s)) ? ctx.options[keyOf(s)] !== false : s.default !== false))
  }
  if (!chosen.length) throw usageError(`no step of '${ctx.command.path}' is chosen`, `its steps: ${known.join(', ')}`)
  for (const step of chosen) {
    const clash = chosen.find((other) => step.excludes?.includes(other.name))
    if (clash) throw usageError(`the steps '${step.name}' and '${clash.name}' cannot run together`, `leave one out: --no-${clash.name}`)
  }
  return chosen
}

/** The option key of each step's switch pair, as the parser names it. */
function stepKeys(ctx: RunContext): (step: StepSpec) => string {
  const defs = commandShape(ctx.command).options
  return (step) => defs.find((d) => d.on.includes(`--${step.name}`))?.key ?? step.name
}

const SURVEY_CONCURRENCY = 8

/**
 * Every target's refusals and surveys, reads only: the contexts are dry-run ones, so a write there stops instead of
 * being sent. Any failure to read ends the run before anything was written.
 */
async function survey(ctx: CoreContext, contextFor: ContextFactory, invocationFor: (value: string) => Invocation, plan: PlanSpec, steps: LoadedStep[], targets: string[]): Promise<Map<string, Surveyed>> {
  const refuses = plan.refuses ? await plan.refuses() : undefined
  const found = new Map<string, Surveyed>()
  let next = 0
  const worker = async () => {
    while (next < targets.length && !ctx.signal.aborted) {
      const id = targets[next++]
      const inv = invocationFor(id)
      const readCtx = contextFor({ ...inv, options: { ...inv.options, dryRun: true } }, ctx.signal, { bulkTarget: { emitted: [], notes: [] }, inShell: ctx.inShell })
      const target: Surveyed = { id, chosen: steps.map((s) => s.spec.name), facts: {}, surveys: {}, refusals: [] }
      try {
        const refusal = await refuses?.(readCtx, target)
        if (refusal) target.refusals.push(refusal)
        for (const { spec, action } of refusal ? [] : steps) {
          const result = await action.survey?.(readCtx, target)
          target.surveys[spec.name] = result
          if (result?.facts !== undefined) target.facts[spec.name] = result.facts
          if (result?.refuse) target.refusals.push(`${spec.name}: ${result.refuse}`)
        }
      } catch (error) {
        const e = toSynadmError(error)
        // a step's check of the options typed (`--members` without `--members-where`) is about the line, not the target
        if (e.kind === 'usage') throw e
        throw new SynadmError(e.kind, `${id}: the survey failed, nothing was written: ${e.message}`, { hint: e.hint, status: e.status, errcode: e.errcode, cause: e })
      }
      found.set(id, target)
    }
  }
  await Promise.all(Array.from({ length: Math.min(SURVEY_CONCURRENCY, targets.length) }, worker))
  if (ctx.signal.aborted) throw new SynadmError('cancelled', 'stopped by Ctrl-C during the survey; nothing was written')
  // the targets' order, whatever order their surveys finished in
  return new Map(targets.map((id) => [id, found.get(id)!]))
}

/** Any refused target refuses the whole run, before anything is sent. */
function refuseTargets(surveyed: Map<string, Surveyed>) {
  const refused = [...surveyed.values()].filter((t) => t.refusals.length)
  if (!refused.length) return
  const lines = refused.slice(0, 20).map((t) => `${t.id}: ${t.refusals.join('; ')}`)
  if (refused.length > 20) lines.push(`… and ${refused.length - 20} more`)
  throw usageError(`refusing the plan: ${refused.length} target(s) must not be taken down; nothing was sent:\n  ${lines.join('\n  ')}`, 'remove them from the targets (or change the option that limits them), then run it again')
}

/** The preview: a row per target, a column per step with what it will affect. */
function previewRows(surveyed: Map<string, Surveyed>, steps: LoadedStep[]): Record<string, unknown>[] {
  return [...surveyed.values()].map((t) => ({
    target: t.id,
    ...Object.fromEntries(steps.map(({ spec }) => [spec.name, affects(t.surveys[spec.name])])),
  }))
}

const affects = (survey: StepSurvey | undefined): unknown => (survey?.nothingToDo ? '—' : (survey?.affects ?? 'yes'))

/** The one confirmation: the preview of the targets still to run (the steps are its columns), the journal. */
async function confirmPlan(ctx: CoreContext, rows: Record<string, unknown>[], todo: BulkItem<string>[], chosen: StepSpec[], journal: string) {
  const left = new Set(todo.map((t) => t.target))
  const shown = rows.filter((row) => left.has(row.target as string))
  const what = todo.length === 1 ? todo[0].target : `${todo.length} targets`
  // The preview is for the person who answers; --batch answered already.
  if (ctx.interactive) ctx.session.io.stderr.write(await format(ctx.format === 'wide' ? 'wide' : 'human', shown, ctx.tables))
  await ctx.confirm(`Take down ${what} (${chosen.map((s) => s.name).join(', ')})?`, { targets: todo.length, journal })
}

/**
 * One step of one target, journaled: skipped when an earlier run did it; when an earlier run was killed in the middle
 * of it, run again only if repeating it changes nothing more, else left for a person to check.
 */
async function journaledStep(record: StepRecord, name: string, idempotent: boolean, done: Record<string, unknown>, run: () => Promise<unknown>, later: string[] = []) {
  const state = record.state(name)
  if (state === 'done') return void (done[name] = 'done earlier')
  if (state === 'in-flight' && !idempotent) {
    throw new SynadmError('partial', `step '${name}' was in flight when an earlier run was killed: it may or may not have been applied; check it by hand${laterSteps(later)}`)
  }
  record.start(name)
  try {
    const result = await run()
    done[name] = result === undefined || (typeof result === 'object' && result !== null && Object.keys(result).length === 0) ? 'done' : result
  } catch (error) {
    const e = toSynadmError(error)
    record.finish(name, false, e.message)
    const before = Object.keys(done).length ? `; done: ${Object.keys(done).join(', ')}` : ''
    throw new SynadmError(e.kind, `step '${name}' failed: ${e.message}${before}${laterSteps(later)}`, { hint: e.hint, status: e.status, errcode: e.errcode, cause: e })
  }
  record.finish(name, true)
}

/** A step's outcome in a table cell: its words as they are, `done` for what a reply holds (-o json/yaml show it). */
const briefly = (result: unknown) => (result === undefined ? '' : typeof result === 'object' && result !== null ? 'done' : result)

const laterSteps = (later: string[]) => (later.length ? `; not run: ${later.join(', ')}` : '')

/** The steps after `step`, which do not run when it fails. */
const notRun = (steps: LoadedStep[], step: StepSpec) => steps.slice(steps.findIndex((s) => s.spec === step) + 1).map((s) => s.spec.name)

let journalsMade = 0

/**
 * A plan without --journal keeps one in the state folder, named by the command, the time it started and the process
 * (two runs started in the same millisecond get two journals).
 */
function defaultJournal(ctx: CoreContext): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const dir = join(stateDir(ctx.env), 'plans')
  return join(privateFolder(dir, 'the journal'), `${ctx.command.path.replace(/\s+/g, '-')}-${stamp}-${process.pid}-${++journalsMade}.jsonl`)
}
