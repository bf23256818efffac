// Shell completion through the real shells: the scripts `synadm completion <shell>` prints, sourced in bash, zsh
// and fish, call the built `synadm completion-server` (a `synadm` on PATH) on Tab. zsh and fish run interactively
// on a terminal (util-linux `script`), bash through its completion function. A shell that is not installed is
// skipped (CI installs them: apt-get install -y zsh fish).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, inject, it } from 'vitest'
import { pluginFolder, repoRoot } from '../unit/configured.js'
import { runSynadm } from './cli.js'
import { synapse } from './synapse-info.js'

const installed = (program: string) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0

/** A home, a `synadm` on PATH, a config listing vorpal-grep (whose file arguments complete), files to complete. */
async function completionEnv() {
  const dir = await pluginFolder()
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'synadm'), `#!/bin/sh\nexec "${process.execPath}" "${join(repoRoot, 'bin', 'synadm.js')}" "$@"\n`)
  chmodSync(join(bin, 'synadm'), 0o755)
  const home = join(dir, 'home')
  mkdirSync(join(home, 'logs'), { recursive: true })
  writeFileSync(join(home, 'logs', 'alpha.txt'), 'a\n')
  writeFileSync(join(home, 'logs', 'beta.log'), 'b\n')
  writeFileSync(join(dir, 'synadm.yaml'), `${readFileSync(synapse().configFile, 'utf8')}plugins: [vorpal-grep]\n`)
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PATH: `${bin}:${process.env.PATH}`,
    HOME: home,
    SYNADM_CONFIG: join(dir, 'synadm.yaml'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    TERM: 'dumb',
  }
  return { dir, home, env }
}

/** bash: source the script, set COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT, call the completion function, print COMPREPLY. */
function bashComplete(line: string, env: Record<string, string>, cwd: string): string[] {
  const script = [
    'eval "$(synadm completion bash)"',
    'read -r -a COMP_WORDS <<< "$LINE"',
    '[[ "$LINE" == *" " ]] && COMP_WORDS+=("")',
    'COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE="$LINE"; COMP_POINT=${#LINE}',
    '_synadm_completion',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n')
  const result = spawnSync('bash', ['--norc', '-c', script], { env: { ...env, LINE: line }, cwd, encoding: 'utf8', timeout: 30_000 })
  if (result.status !== 0) throw new Error(`bash failed: ${result.stderr}`)
  return result.stdout.split('\n').filter(Boolean)
}

const SCREEN_NOISE = /\u001b\[[0-9;?]*[a-zA-Z]|\u0007/g

/**
 * Types into an interactive shell on a terminal: for each step, its keys (ending in Tab), then waits until the
 * screen shows what the Tab should produce, then clears the line (Ctrl-U). Returns the screen text of each step.
 */
async function typeInto(command: string, env: Record<string, string>, cwd: string, steps: { keys: string; shows: string }[]): Promise<string[]> {
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] })
  let screen = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => (screen += text.replace(SCREEN_NOISE, '').replace(/\r/g, '\n')))
  const waitFor = (text: string, from: number) =>
    new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 30_000
      const poll = () => {
        if (screen.slice(from).includes(text)) return resolve()
        if (Date.now() > deadline) return reject(new Error(`the screen never showed ${JSON.stringify(text)}:\n${screen}`))
        setTimeout(poll, 50)
      }
      poll()
    })
  const seen: string[] = []
  try {
    await waitFor('ready> ', 0)
    for (const step of steps) {
      const from = screen.length
      child.stdin.write(step.keys)
      await waitFor(step.shows, from)
      seen.push(screen.slice(from))
      child.stdin.write('\u0015')
    }
    child.stdin.write('exit\r')
    await new Promise((resolve) => child.on('close', resolve))
  } finally {
    child.kill()
  }
  return seen
}

describe.skipIf(!inject('synapse').available)('shell completion', () => {
  it('prints the script of each shell', async () => {
    const scripts = [
      await runSynadm(['completion', 'bash']),
      await runSynadm(['completion', 'zsh']),
      await runSynadm(['completion', 'fish']),
      await runSynadm(['completion', 'pwsh']),
    ]
    for (const result of scripts) {
      expect(result.code).toBe(0)
      expect(result.stdout).toContain('completion-server')
      expect(result.stdout).toContain('synadm')
    }
  })

  it('answers completion-server requests from the environment the scripts set', async () => {
    const request = { COMP_LINE: 'synadm ver', COMP_POINT: '10', COMP_CWORD: '1', SHELL: 'bash' }
    const result = await runSynadm(['completion-server', '--', 'synadm', 'ver'], { env: request })
    expect(result).toEqual({ code: 0, stdout: 'version\n', stderr: '' })
    // Warnings would land in the middle of the line being typed: the completion server keeps quiet.
    const { dir } = await completionEnv()
    const broken = join(dir, 'broken.yaml')
    writeFileSync(broken, `${readFileSync(synapse().configFile, 'utf8')}plugins: [./missing.mjs]\n`)
    expect((await runSynadm(['version'], { configFile: broken })).stderr).toContain('plugin ./missing.mjs (./missing.mjs) not loaded')
    expect(await runSynadm(['completion-server', '--', 'synadm', 'ver'], { configFile: broken, env: request })).toEqual({ code: 0, stdout: 'version\n', stderr: '' })
  })

  it('bash: commands, groups, options, and files through vorpal-autocomplete-fs', async () => {
    const { env, home } = await completionEnv()
    expect(bashComplete('synadm ver', env, home)).toEqual(['version'])
    expect(bashComplete('synadm us', env, home)).toEqual(['user'])
    expect(bashComplete('synadm user list --', env, home)).toEqual(expect.arrayContaining(['--from', '--limit', '--guests', '--no-guests', '--all', '--help']))
    expect(bashComplete('synadm user list --li', env, home)).toEqual(['--limit'])
    expect(bashComplete('synadm -o j', env, home)).toEqual(['json', 'jsonl'])
    expect(bashComplete('synadm grep needle logs/', env, home)).toEqual(['logs/alpha.txt', 'logs/beta.log'])
  })

  it.skipIf(!installed('zsh'))('zsh: Tab completes commands and options', async () => {
    const { env, dir, home } = await completionEnv()
    const zdotdir = join(dir, 'zsh')
    mkdirSync(zdotdir)
    writeFileSync(join(zdotdir, '.zshrc'), 'autoload -U compinit\ncompinit -u\neval "$(synadm completion zsh)"\nPS1="ready> "\n')
    const seen = await typeInto('zsh -i', { ...env, ZDOTDIR: zdotdir }, home, [
      { keys: 'synadm us\t', shows: 'synadm user ' },
      { keys: 'synadm user list --li\t', shows: 'synadm user list --limit ' },
      { keys: 'synadm grep x logs/al\t', shows: 'synadm grep x logs/alpha.txt' },
    ])
    expect(seen).toHaveLength(3)
  })

  it.skipIf(!installed('fish'))('fish: Tab completes commands and options', async () => {
    const { env, home } = await completionEnv()
    const setup = 'synadm completion fish | source; function fish_prompt; echo -n "ready> "; end'
    const seen = await typeInto(`fish --no-config -i -C '${setup}'`, env, home, [
      { keys: 'synadm us\t', shows: 'synadm user ' },
      { keys: 'synadm user list --li\t', shows: 'synadm user list --limit ' },
    ])
    expect(seen).toHaveLength(2)
  })

  it('completion install and uninstall edit the shell startup files', async () => {
    const { env, home } = await completionEnv()
    for (const shell of ['bash', 'zsh', 'fish']) {
      const installedResult = await runSynadm(['completion', 'install', '--shell', shell], { env: { HOME: home } })
      expect({ shell, code: installedResult.code }).toEqual({ shell, code: 0 })
      expect(installedResult.stderr).toContain(`Completion for ${shell} installed`)
    }
    expect(readFileSync(join(home, '.bashrc'), 'utf8')).toContain('tabtab/bash/__tabtab.bash')
    expect(readFileSync(join(home, '.zshrc'), 'utf8')).toContain('tabtab/zsh/__tabtab.zsh')
    expect(readFileSync(join(home, '.config', 'fish', 'config.fish'), 'utf8')).toContain('tabtab/fish/__tabtab.fish')
    expect(readFileSync(join(home, '.config', 'tabtab', 'bash', 'synadm.bash'), 'utf8')).toContain('synadm completion-server')
    // A new interactive bash has it: the function answers Tab.
    const login = spawnSync('bash', ['-ic', 'complete -p synadm'], { env: { ...env, HOME: home }, encoding: 'utf8' })
    expect(login.stdout).toContain('complete -o default -F _synadm_completion synadm')
    // With SHELL naming a supported shell, --shell may be left out.
    const bySHELL = await runSynadm(['completion', 'uninstall'], { env: { HOME: home, SHELL: '/usr/bin/zsh' } })
    expect(bySHELL.code).toBe(0)
    expect(existsSync(join(home, '.config', 'tabtab', 'zsh', 'synadm.zsh'))).toBe(false)
    expect((await runSynadm(['completion', 'uninstall', '--shell', 'bash'], { env: { HOME: home } })).code).toBe(0)
    expect(existsSync(join(home, '.config', 'tabtab', 'bash', 'synadm.bash'))).toBe(false)
  })
})
