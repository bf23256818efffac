/**
 * Plans: a command that runs a declared sequence of steps over one or many targets (`user takedown`, `room
 * takedown`). A plugin declares the plan with PluginContext.plan and its steps with PluginContext.step, as data plus
 * lazy loaders; third-party plugins add steps to a plan the same way, or declare plans of their own. Core
 * (core/campaigns/plan.ts) runs them: it surveys every target before anything is written, shows one preview with
 * what each step will affect and asks once, writes evidence when asked, and runs each target's steps in order with
 * a journal line per step, so a resume continues inside a target's plan.
 */
import type { RunContext } from './run-context.js'
import type { CommandSpec, OptionSpec } from './spec.js'

/** What a target is to its plan's steps: its ID and what the surveys found out about it. */
export interface PlanTarget {
  /** the target as the command takes it (a user ID, a room ID; aliases resolved) */
  id: string
  /** the names of the steps chosen for this run, in the plan's order */
  chosen: readonly string[]
  /**
   * What the surveys found before anything was written, by the step that found it (`facts.redact = {rooms: […]}`):
   * steps read what they need from here instead of asking the server after earlier steps changed it.
   */
  facts: Record<string, unknown>
}

/** What a step's survey found about one target: read only, before any step of any target runs. */
export interface StepSurvey {
  /** what the step will affect, for the preview: a count (`12`) or a few words (`3 events in 2 rooms`) */
  affects?: number | string
  /** nothing for this step to do on this target: it is shown as such and not run */
  nothingToDo?: boolean
  /**
   * this target must not be taken down (an admin, a room larger than the limit): the whole plan is refused before
   * anything is sent, naming every refused target with its reason
   */
  refuse?: string
  /** kept as `target.facts[step name]` for the step's run and later steps */
  facts?: unknown
}

/** A step's implementation, loaded when a plan with the step runs. */
export interface StepAction {
  /** reads only: what the step will affect on the target, and the facts it needs later */
  survey?(ctx: RunContext, target: PlanTarget): Promise<StepSurvey | undefined>
  /** does the step on one target: what it returns is the target's result for the step */
  run(ctx: RunContext, target: PlanTarget): Promise<unknown>
}

export interface StepSpec {
  /** lower case and `-`: `--steps lock,redact`, `--lock / --no-lock` */
  name: string
  /** what the step does, as a verb phrase with `{target}`: `lock {target}` (preview, dry run, help) */
  does: string
  /** runs unless `--no-NAME` or `--steps` leaves it out (default true); an optional step runs with `--NAME` */
  default?: boolean
  /** a third party's step goes after this one (default: at the end) */
  after?: string
  /** options of its own, added to the plan's command (`--redact-since`) */
  options?: readonly OptionSpec[]
  /** only reads (an export): a failure of it still stops the target's later steps */
  readOnly?: boolean
  /**
   * running it again after a run was killed while it was in flight changes nothing more (a lock, a block): a resume
   * re-runs it. Otherwise a resume reports it for a person to check and leaves the target's later steps alone.
   */
  idempotent?: boolean
  /** steps that cannot run with this one (`suspend` instead of `lock`) */
  excludes?: readonly string[]
  load: () => Promise<StepAction>
}

/** Collects what a target's steps will destroy, for `--evidence DIR`: file name (no folders) → document. */
export type EvidenceCollector = (ctx: RunContext, target: string) => Promise<Record<string, unknown>>

/**
 * A plan command, as declared with PluginContext.plan: a command spec without an action (core runs the plan), with
 * its first argument the target (an ID kind, so --targets works), and the plan's steps.
 */
export interface PlanCommandSpec extends Omit<CommandSpec, 'load' | 'plan' | 'destructive' | 'bulk'> {
  plan: PlanSpec
}

export interface PlanSpec {
  /** the steps, in order; plugins add more with PluginContext.step */
  steps: StepSpec[]
  /** what `--evidence DIR` writes per target, before the target's first step */
  evidence?: () => Promise<EvidenceCollector>
  /**
   * Reads, for every target before anything is sent, whatever steps are chosen: why the target must not be taken
   * down (on another server, an admin, a room larger than a limit), or undefined. Any refusal refuses the whole run.
   */
  refuses?: () => Promise<(ctx: RunContext, target: PlanTarget) => Promise<string | undefined>>
  /** targets run at once by default (--concurrency overrides it) */
  concurrency?: number
}
