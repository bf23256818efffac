import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadSettings, readFlatYaml, saveUserConfig } from '../../core/config/settings.js'

const temp = () => mkdtemp(join(tmpdir(), 'synadm-config-'))

describe('settings', () => {
  it('read the Python synadm file unchanged, with its defaults', async () => {
    const dir = await temp()
    const file = join(dir, 'synadm.yaml')
    await writeFile(file, "user: '@admin:ex.org'\ntoken: abc\nbase_url: https://ex.org/\nformat: human\nssl_verify: false\n")
    const { settings, sources } = await loadSettings({ configFile: file, env: {}, cwd: dir, project: false })
    expect(settings).toMatchObject({ user: '@admin:ex.org', token: 'abc', base_url: 'https://ex.org', format: 'human', ssl_verify: false, timeout: 30, admin_path: '/_synapse/admin', homeserver: 'auto-retrieval' })
    expect(sources).toMatchObject({ user: 'file', timeout: 'default' })
  })

  it('take flag over env over project file over user file over defaults', async () => {
    const dir = await temp()
    const file = join(dir, 'synadm.yaml')
    await writeFile(file, 'user: u-file\ntoken: t-file\nformat: yaml\ntimeout: 5\nbase_url: http://file\n')
    await writeFile(join(dir, '.synadmrc.json'), JSON.stringify({ format: 'human', timeout: 9, plugins: ['./p.mjs'] }))
    await writeFile(join(dir, 'package.json'), '{}')
    // plugins: from a project config is read only in a folder you trust
    await mkdir(join(dir, 'home', 'synadm'), { recursive: true })
    await writeFile(join(dir, 'home', 'synadm', 'trusted.yaml'), `folders:\n  - ${dir}\n`)
    const env = { SYNADM_TIMEOUT: '12', SYNADM_BASE_URL: 'http://env', XDG_CONFIG_HOME: join(dir, 'home') }
    const { settings, sources, pluginBases } = await loadSettings({ configFile: file, env, cwd: dir })
    expect(settings).toMatchObject({ user: 'u-file', format: 'human', timeout: 12, base_url: 'http://env', plugins: ['./p.mjs'] })
    expect(sources).toMatchObject({ user: 'file', format: 'project', timeout: 'env', plugins: 'project' })
    expect(pluginBases.get('./p.mjs')).toBe(dir)
  })

  it('warn when a project file holds a token', async () => {
    const dir = await temp()
    await writeFile(join(dir, 'package.json'), JSON.stringify({ synadm: { token: 'leak' } }))
    const { warnings } = await loadSettings({ configFile: join(dir, 'none.yaml'), env: {}, cwd: dir })
    expect(warnings[0]).toMatch(/holds a token/)
  })

  it('report broken files in one line', async () => {
    const dir = await temp()
    const file = join(dir, 'synadm.yaml')
    await writeFile(file, 'user: [unclosed\n')
    await expect(loadSettings({ configFile: file, env: {}, cwd: dir, project: false })).rejects.toMatchObject({ kind: 'config', message: expect.stringContaining('is not valid configuration') })
    await writeFile(file, 'timeout: soon\n')
    await expect(loadSettings({ configFile: file, env: {}, cwd: dir, project: false })).rejects.toMatchObject({ kind: 'config', message: expect.stringContaining('timeout must be a positive number') })
  })

  it('are saved as sorted YAML with mode 0600, keeping other keys', async () => {
    const dir = await temp()
    const file = join(dir, 'sub', 'synadm.yaml')
    await saveUserConfig(file, { token: 'secret', user: '@a:b' })
    await saveUserConfig(file, { base_url: 'http://x' })
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(await readFile(file, 'utf8')).toBe("base_url: http://x\ntoken: secret\nuser: '@a:b'\n")
  })
})

describe('the flat YAML reader', () => {
  const samples = [
    "admin_path: /_synapse/admin\nbase_url: http://127.0.0.1:8008\nformat: json\nhomeserver: synadm.test\nmatrix_path: /_matrix\nprotocol: http\nserver_discovery: well-known\nssl_verify: true\ntimeout: 30\ntoken: syt_YWRtaW4_abc\nuser: '@admin:synadm.test'\n",
    "user: \"@a:b\"\ntoken: 'it''s'\ntimeout: 7.5\nssl_verify: False\nhomeserver:\nformat: ~\n# a comment\n\nbase_url: https://x.org/path?q=1\n",
    'timeout: -3\nname: "tab\\there \\u00e4"\nempty: ""\nnull_word: Null\n',
  ]
  it.each(samples)('reads what js-yaml reads: %j', async (text) => {
    const { default: yaml } = await import('js-yaml')
    expect(readFlatYaml(text)).toEqual(yaml.load(text))
  })

  it.each(['plugins:\n  - a\n  - b\n', 'a: [1, 2]\n', 'a: {b: 1}\n', 'a: &x 1\n', 'a: b: c\n', 'a: b # note\n', 'a: |\n  text\n', 'a: "\\x41"\n'])(
    'leaves other YAML to js-yaml: %j',
    (text) => expect(readFlatYaml(text)).toBeUndefined(),
  )
})
