/**
 * The README's shell examples, as tests: every ```sh (or ```bash) block of README.md, with what the HTML comment
 * right above it says about running it. The grammar of that comment (also explained at the top of README.md):
 *
 *   <!-- test: CLAUSE; CLAUSE … -->
 *     skip: REASON        (last) not run, because the test cannot have what it needs (say what, and what tests it instead)
 *     user NAME           a fresh user stands for NAME (the word NAME, and @NAME:example.org)
 *     room !ID:example.org / room #ALIAS:example.org
 *                         a fresh room (created by the admin) stands for this room ID or alias
 *     file NAME: TEXT     the working directory holds file NAME with TEXT (\n = new line; placeholders replaced)
 *     plugin PACKAGE      the npm package PACKAGE (from this checkout's node_modules) is listed in plugins.yaml, as
 *                         `synadm plugins install PACKAGE` would (which needs the package registry)
 *     exit N              the block's last command exits N instead of 0 (and the block runs without set -e)
 *     prints TEXT         the block's output (stdout and stderr) contains TEXT (placeholders replaced)
 *     checkout            runs in a fresh clone of this repository, npm offline with a private global prefix
 *     removes everything  runs after every other block; then the test HOME must hold nothing synadm wrote
 *     mas                 runs against the Synapse that delegates auth to the stand-in MAS (inject('synapseMas')):
 *                         HOME's config points at it, example.org is its name, `user NAME` a user made through MAS
 *
 * Without a comment a block runs as it is. Always: `synadm` is this checkout's CLI, HOME is a fresh folder whose
 * ~/.config/synadm.yaml points at the test Synapse, example.org is the test server's name and @admin:example.org
 * its admin.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface ExampleMarks {
  skip?: string
  users: string[]
  rooms: string[]
  files: { name: string; text: string }[]
  plugins: string[]
  exit: number
  prints: string[]
  checkout: boolean
  removesEverything: boolean
  /** against the Synapse that delegates auth to MAS */
  mas: boolean
}

export interface Example {
  /** line of the opening fence in README.md (1-based) */
  line: number
  code: string
  marks: ExampleMarks
  /** the comment as written, for messages */
  comment?: string
}

const RUNNABLE = new Set(['sh', 'bash'])

/** Parses one `test:` comment; throws, naming the clause, on anything it does not know. */
export function parseMarks(comment: string | undefined): ExampleMarks {
  const marks: ExampleMarks = { users: [], rooms: [], files: [], plugins: [], prints: [], exit: 0, checkout: false, removesEverything: false, mas: false }
  if (comment === undefined) return marks
  // A reason may hold semicolons: skip takes the rest of the comment.
  const skipAt = comment.search(/(^|;)\s*skip:/)
  if (skipAt >= 0) {
    const reason = comment.slice(comment.indexOf('skip:', skipAt) + 5).trim().replace(/\s+/g, ' ')
    if (reason.length < 10) throw new Error('skip needs a reason (at least 10 characters): what the test cannot have, and what tests it instead')
    marks.skip = reason
    comment = comment.slice(0, skipAt)
  }
  for (const raw of comment.split(';')) {
    const clause = raw.trim().replace(/\s+/g, ' ')
    let m: RegExpExecArray | null
    if (clause === '') continue
    else if ((m = /^user ([a-z0-9._=/-]+)$/.exec(clause))) marks.users.push(m[1])
    else if ((m = /^room ([!#][^\s:]+:example\.org)$/.exec(clause))) marks.rooms.push(m[1])
    else if ((m = /^file ([\w.-]+): (.*)$/.exec(raw.trim()))) marks.files.push({ name: m[1], text: m[2].replace(/\\n/g, '\n') })
    else if ((m = /^plugin ((?:@[\w.-]+\/)?[\w.-]+)$/.exec(clause))) marks.plugins.push(m[1])
    else if ((m = /^exit (\d+)$/.exec(clause))) marks.exit = Number(m[1])
    else if ((m = /^prints (.+)$/.exec(raw.trim()))) marks.prints.push(m[1])
    else if (clause === 'checkout') marks.checkout = true
    else if (clause === 'removes everything') marks.removesEverything = true
    else if (clause === 'mas') marks.mas = true
    else throw new Error(`unknown clause '${clause}'`)
  }
  return marks
}

/** Every runnable block of `markdown`, with its marks. */
export function readmeExamples(markdown: string): Example[] {
  const lines = markdown.split('\n')
  const examples: Example[] = []
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\w*)\s*$/.exec(lines[i])
    if (!fence) continue
    const end = lines.findIndex((line, j) => j > i && /^```\s*$/.test(line))
    if (end < 0) throw new Error(`README.md:${i + 1}: code block never closed`)
    if (RUNNABLE.has(fence[1])) {
      // The comment must end on the line right above the fence (blank lines between are allowed).
      let above = i - 1
      while (above >= 0 && lines[above].trim() === '') above--
      let comment: string | undefined
      if (above >= 0 && lines[above].trimEnd().endsWith('-->')) {
        let start = above
        while (start >= 0 && !lines[start].includes('<!--')) start--
        const text = lines.slice(start, above + 1).join('\n')
        const m = /<!--\s*test:([\s\S]*?)-->\s*$/.exec(text)
        if (m) comment = m[1]
      }
      try {
        examples.push({ line: i + 1, code: lines.slice(i + 1, end).join('\n'), marks: parseMarks(comment), comment })
      } catch (error) {
        throw new Error(`README.md:${i + 1}: ${(error as Error).message}`)
      }
    }
    i = end
  }
  return examples
}

export const readmeFile = join(import.meta.dirname, '..', '..', 'README.md')
export const readme = () => readFileSync(readmeFile, 'utf8')
