/**
 * What a command line does, in words: the command's declared effect (CommandSpec.effect) with its target filled
 * in — the argument as typed, one target of a set, or the set counted (`shadow-ban 30 users`).
 */
import { countOf } from '../contract/ids.js'
import type { CommandSpec, EffectLine } from '../contract/spec.js'
import { commandShape } from './options.js'

/**
 * The effect of a line, or undefined when the command declares none. `targets`: the targets of a --targets run,
 * in place of the target argument (one is named, more are counted).
 */
export function effectOf(spec: CommandSpec, line: EffectLine, targets?: readonly string[]): string | undefined {
  if (!spec.effect) return undefined
  const target = commandShape(spec).target
  const typed = target ? line.args[target.name] : undefined
  const named = targets === undefined ? typed : targets.length === 1 ? targets[0] : countOf(target?.id, targets.length)
  return spec.effect(line).replace(/\{target\}/g, named === undefined ? 'it' : String(named)).trim()
}

/** A phrase that starts a sentence: `Shadow-ban 30 users` */
export const capitalised = (phrase: string) => phrase.charAt(0).toUpperCase() + phrase.slice(1)

/** A phrase as a question: `Shadow-ban 30 users?` */
export const asQuestion = (phrase: string) => capitalised(phrase) + '?'
