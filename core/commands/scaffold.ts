/**
 * `synadm plugins new NAME`: a plugin package to start from — TypeScript, one command that uses the built-in
 * user plugin's API, a test that runs it with nock, a README. It builds and its test passes right after
 * `npm install`: its devDependency on synadm is this synadm's own package folder (file:), so nothing else is needed.
 * (npm runs the prepare script of such a dependency: synadm's builds only in a checkout, where scripts/ exists.)
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { CoreContext } from '../run/context.js'
import type * as spec from './index.js'
import { usageError } from '../kernel/errors.js'
import { runningPackageRoot } from '../plugin-host/installed.js'
import { PLUGIN_API_VERSION } from '../contract/plugin.js'

/** `inactive` → synadm-plugin-inactive; `@acme/audit` → @acme/synadm-plugin-audit; the group is the bare name. */
export function pluginNames(name: string): { packageName: string; group: string } {
  const m = /^(?:(@[a-z0-9][\w.-]*)\/)?(?:synadm-plugin-)?([a-z][a-z0-9-]*)$/.exec(name)
  if (!m) throw usageError(`'${name}' cannot name a plugin: use lower-case letters, digits and dashes (inactive, @acme/audit)`)
  const [, scope, group] = m
  return { packageName: `${scope ? scope + '/' : ''}synadm-plugin-${group}`, group }
}

/** The files of a new plugin package, by path. */
function scaffoldFiles(name: string, synadm: { root: string; version: string; devDependencies: Record<string, string> }): Record<string, string> {
  const { packageName, group } = pluginNames(name)
  const tools = (pkg: string, fallback: string) => synadm.devDependencies[pkg] ?? fallback
  const manifest = {
    name: packageName,
    version: '0.1.0',
    description: `synadm plugin: the ${group} commands`,
    type: 'module',
    keywords: ['synadm-plugin'],
    exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
    files: ['dist'],
    scripts: { build: 'tsc -p .', prepare: 'tsc -p .', test: 'vitest run' },
    peerDependencies: { synadm: `^${synadm.version}` },
    devDependencies: {
      '@types/node': tools('@types/node', '^20.19.0'),
      nock: tools('nock', '^14.0.0'),
      synadm: `file:${synadm.root}`,
      typescript: tools('typescript', '^5.9.0'),
      vitest: tools('vitest', '^4.0.0'),
    },
  }
  const tsconfig = {
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, declaration: true, rootDir: 'src', outDir: 'dist' },
    include: ['src'],
  }
  return {
    'package.json': JSON.stringify(manifest, null, 2) + '\n',
    'tsconfig.json': JSON.stringify(tsconfig, null, 2) + '\n',
    '.gitignore': 'node_modules/\ndist/\n',
    'src/index.ts': `/**
 * ${packageName}: declarations only. synadm imports this file at every start, so it stays small; a command's
 * implementation (commands.ts) is imported when the command runs.
 */
import type { SynadmPlugin } from 'synadm'

const commands = () => import('./commands.js')

export default {
  name: '${packageName}',
  // The plugin API version this plugin is written against (PLUGIN_API_VERSION of synadm ${synadm.version}).
  apiVersion: ${PLUGIN_API_VERSION},
  setup(ctx) {
    ctx.group('${group}', 'Commands of ${packageName}')
    ctx.command({
      path: '${group} user',
      description: 'Show whether a user is an admin, and their display name',
      args: '<user_id>',
      argInfo: { user_id: { description: 'the user: alice or @alice:example.org', complete: 'user_id' } },
      load: () => commands().then((m) => m.user),
    })
  },
} satisfies SynadmPlugin
`,
    'src/commands.ts': `/** The commands: each returns data, which synadm prints in the format the user chose (-o json, yaml, human …). */
import type { RunContext } from 'synadm'

export async function user(ctx: RunContext) {
  const userId = await ctx.userId(String(ctx.args.user_id))
  // The built-in user plugin's API (UserApi): one method per Admin API endpoint.
  const details = await (await ctx.use('user')).details(userId)
  return { user_id: userId, admin: details.admin, displayname: details.displayname }
}
`,
    [`test/${group}.test.ts`]: `// synadm runs in-process with this plugin and the built-in user plugin; nock answers the HTTP requests.
import nock from 'nock'
import { runSynadm, json, TEST_BASE_URL } from 'synadm/testing'
import { afterEach, beforeAll, expect, it } from 'vitest'
import plugin from '../src/index.js'

const run = (argv: string[]) => runSynadm([plugin], ['-o', 'json', ...argv], { builtins: ['user'] })

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

it('${group} user shows what the Admin API says about the user', async () => {
  const scope = nock(TEST_BASE_URL)
    .get('/_synapse/admin/v2/users/%40alice%3Asynapse.test')
    .reply(200, { name: '@alice:synapse.test', admin: false, displayname: 'Alice' })
  expect(json(await run(['${group}', 'user', 'alice']))).toEqual({ user_id: '@alice:synapse.test', admin: false, displayname: 'Alice' })
  expect(scope.isDone()).toBe(true)
})

it('${group} user exits 7 for a user the server does not know', async () => {
  nock(TEST_BASE_URL).get('/_synapse/admin/v2/users/%40nobody%3Asynapse.test').reply(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })
  const result = await run(['${group}', 'user', '@nobody:synapse.test'])
  expect(result.code).toBe(7)
  expect(result.stderr).toMatch(/^synadm: /)
})
`,
    'README.md': `# ${packageName}

A synadm plugin: \`synadm ${group} user USER\`.

## Develop

\`\`\`sh
npm install      # also builds (prepare)
npm test         # runs synadm in-process with the plugin, HTTP mocked with nock
npm run build    # TypeScript → dist/
\`\`\`

\`src/index.ts\` declares the commands (help, completion and argument checks work from it alone);
\`src/commands.ts\` implements them. The guide, with the built-in APIs (\`ctx.use('user')\` …) and completion
sources: docs/plugins.md of synadm.

The devDependency \`synadm\` points at the synadm that wrote this package (\`file:${synadm.root}\`), so
\`npm install\` works without a registry. To share the package, change it to the range you test against
(\`"synadm": "^${synadm.version}"\`) once synadm is on your registry.

## Use it

\`\`\`sh
synadm plugins install .       # from this folder: npm packs it (prepare builds it first)
synadm ${group} user alice
synadm plugins uninstall ${packageName}
\`\`\`

## Publish

\`npm publish\` puts it on your registry; admins then run \`synadm plugins install ${group}\`.
`,
  }
}

export function create(ctx: CoreContext<typeof spec.pluginsNew>) {
  const { packageName } = pluginNames(String(ctx.args.name))
  const dir = resolve(ctx.session.io.cwd, String(ctx.options.dir ?? packageName.replace(/^@[^/]+\//, '')))
  if (existsSync(dir) && readdirSync(dir).length > 0) throw usageError(`${dir} exists and is not empty`, 'choose another folder with --dir')
  const root = runningPackageRoot()
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const files = scaffoldFiles(String(ctx.args.name), { root, version: manifest.version, devDependencies: manifest.devDependencies ?? {} })
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true })
    writeFileSync(join(dir, file), text)
  }
  ctx.note(`Next: cd ${dir} && npm install && npm test, then synadm plugins install ${dir}`)
  return { created: dir, package: packageName, files: Object.keys(files) }
}
