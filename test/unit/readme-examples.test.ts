// The README's example marks, checked without a server: a newcomer's mistake in a `test:` comment fails here, fast.
// The examples themselves run in test/integration/readme.test.ts.
import { describe, expect, it } from 'vitest'
import { parseMarks, readme, readmeExamples } from '../integration/readme-examples.js'

describe('README example marks', () => {
  it('every shell block of README.md has a comment the test understands', () => {
    const examples = readmeExamples(readme())
    expect(examples.length).toBeGreaterThan(3)
    // Skipping is for what no test can have; most examples run.
    const skipped = examples.filter((e) => e.marks.skip)
    expect(skipped.length, skipped.map((e) => `README.md:${e.line} ${e.marks.skip}`).join('\n')).toBeLessThan(examples.length / 2)
  })

  it('reads fixtures, files, exit codes and skips', () => {
    expect(parseMarks(' user alice; room !abc:example.org; room #spam:example.org; file t.txt: a\\nb; exit 7 ')).toEqual({
      users: ['alice'],
      rooms: ['!abc:example.org', '#spam:example.org'],
      files: [{ name: 't.txt', text: 'a\nb' }],
      plugins: [],
      prints: [],
      exit: 7,
      checkout: false,
      removesEverything: false,
      mas: false,
    })
    expect(parseMarks(' mas; user alice ')).toMatchObject({ mas: true, users: ['alice'] })
    expect(parseMarks(' checkout; removes everything ')).toMatchObject({ checkout: true, removesEverything: true })
    expect(parseMarks(' plugin vorpal-grep; plugin @acme/synadm-plugin-x')).toMatchObject({ plugins: ['vorpal-grep', '@acme/synadm-plugin-x'] })
    expect(parseMarks(' prints "name": "@alice:example.org" ')).toMatchObject({ prints: ['"name": "@alice:example.org"'] })
    expect(parseMarks(' user bob; skip: needs a terminal; tmux covers it in x.test.ts')).toMatchObject({ users: ['bob'], skip: 'needs a terminal; tmux covers it in x.test.ts' })
  })

  it('refuses what it does not know, and a skip without a reason', () => {
    expect(() => parseMarks(' users alice')).toThrow("unknown clause 'users alice'")
    expect(() => parseMarks(' room !abc:matrix.org')).toThrow('unknown clause')
    expect(() => parseMarks(' skip:')).toThrow('skip needs a reason')
    expect(() => readmeExamples('x\n<!-- test: skip -->\n```sh\nsynadm\n```\n')).toThrow('README.md:3: unknown clause')
  })

  it('finds the comment above a block, across blank lines and several lines', () => {
    const [plain, marked, multi] = readmeExamples(
      ['```sh', 'a', '```', '<!-- test: user alice -->', '', '```sh', 'b', '```', '<!-- test: exit 2;', '  user bob -->', '```bash', 'c', '```', '```yaml', 'd: 1', '```'].join('\n'),
    )
    expect([plain.line, plain.code, plain.marks.users]).toEqual([1, 'a', []])
    expect([marked.line, marked.code, marked.marks.users]).toEqual([6, 'b', ['alice']])
    expect([multi.code, multi.marks.users, multi.marks.exit]).toEqual(['c', ['bob'], 2])
  })
})
