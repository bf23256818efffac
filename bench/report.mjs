// BENCHMARKS.md is written by the benchmarks themselves: bench/run.mjs the head of the file, every other one its
// own section between `<!-- NAME:start … -->` and `<!-- NAME:end -->`, leaving the others as they are.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const FILE = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url))
const SECTIONS = /<!-- ([\w-]+):start[\s\S]*?<!-- \1:end -->\n?/g

/** Replaces (or appends) the section NAME, which `section` must hold with its markers; prints it. */
export function writeSection(name, section) {
  const current = readFileSync(FILE, 'utf8')
  const marked = new RegExp(`<!-- ${name}:start[\\s\\S]*?<!-- ${name}:end -->\\n?`)
  writeFileSync(FILE, marked.test(current) ? current.replace(marked, section) : current.trimEnd() + '\n\n' + section)
  console.log(section)
}

/** Writes the head of the file (bench/run.mjs) and keeps every marked section after it. */
export function writeHead(head) {
  const sections = readFileSync(FILE, 'utf8').match(SECTIONS) ?? []
  writeFileSync(FILE, [head.trimEnd(), ...sections.map((s) => s.trimEnd())].join('\n\n') + '\n')
}
