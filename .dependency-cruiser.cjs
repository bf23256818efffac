// The dependency rule of core's layers (README, "Architecture"), checked by test/unit/dependency-rule.test.ts:
// no runtime import cycle, no import that climbs to a higher layer or sideways to a sibling, and plugins reach core
// only through its public API. Type-only imports are exempt: a type names a shape, it runs nothing.

/** Each layer of core/ (a folder) and the layers below it that it may import. */
const LAYERS = {
  kernel: [],
  contract: ['kernel'],
  output: ['kernel', 'contract'],
  http: ['kernel', 'contract'],
  cli: ['kernel', 'contract', 'output'],
  config: ['kernel', 'contract', 'output', 'http', 'cli'],
  'plugin-host': ['kernel', 'contract', 'output', 'http', 'cli', 'config'],
  run: ['kernel', 'contract', 'output', 'http', 'cli', 'config', 'plugin-host'],
  campaigns: ['kernel', 'contract', 'output', 'http', 'cli', 'config', 'plugin-host', 'run'],
  execute: ['kernel', 'contract', 'output', 'http', 'cli', 'config', 'plugin-host', 'run', 'campaigns'],
  shell: ['kernel', 'contract', 'output', 'http', 'cli', 'config', 'plugin-host', 'run', 'campaigns', 'execute'],
  commands: ['kernel', 'contract', 'output', 'http', 'cli', 'config', 'plugin-host', 'run', 'campaigns', 'execute', 'shell'],
  vorpal: ['kernel', 'contract', 'output', 'http', 'cli', 'config', 'plugin-host', 'run', 'campaigns', 'execute', 'shell'],
  app: ['kernel', 'contract', 'output', 'http', 'cli', 'config', 'plugin-host', 'run', 'campaigns', 'execute', 'shell', 'commands', 'vorpal'],
}
/** core/index.ts, the plugins' API, re-exports from these */
const PUBLIC_API_FROM = ['kernel', 'contract', 'output', 'http', 'cli', 'config', 'run']

const TYPES_ONLY = ['type-only', 'type-import']
const folders = (names) => `^core/(${names.join('|')})/`
const others = (allowed) => Object.keys(LAYERS).filter((l) => !allowed.includes(l))

const layerRules = Object.entries(LAYERS).map(([layer, below]) => ({
  name: `layer-${layer}`,
  comment: `core/${layer}/ imports only ${below.length ? below.map((l) => `core/${l}/`).join(', ') : 'node and npm modules'} (and itself)`,
  severity: 'error',
  from: { path: `^core/${layer}/` },
  to: { path: folders(others([layer, ...below])), dependencyTypesNot: TYPES_ONLY },
}))

module.exports = {
  forbidden: [
    {
      name: 'no-runtime-cycle',
      comment: 'a cycle of imports that run: invert one edge (pass a function in) instead of hiding it in import()',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: TYPES_ONLY, viaOnly: { dependencyTypesNot: TYPES_ONLY } },
    },
    ...layerRules,
    {
      name: 'public-api',
      comment: 'core/index.ts re-exports the layers plugins may use, never the running machinery',
      severity: 'error',
      from: { path: '^core/index\\.ts$' },
      to: { path: folders(others(PUBLIC_API_FROM)), dependencyTypesNot: TYPES_ONLY },
    },
    {
      name: 'core-knows-no-domain',
      comment: 'core never imports a plugin or a package entry (main.ts, index.ts, testing.ts at the root)',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: ['^plugins/', '^(main|index|testing)\\.ts$'] },
    },
    {
      name: 'plugins-use-the-public-api',
      comment: "plugins import core only through core/index.ts ('synadm'); their tests also through testing.ts ('synadm/testing')",
      severity: 'error',
      from: { path: '^plugins/' },
      to: { path: '^core/', pathNot: '^core/index\\.ts$' },
    },
    {
      name: 'plugins-test-entry-only-in-tests',
      comment: "only a plugin's tests (and its testing.ts, their helpers) import the testing entry; no plugin imports the binary's entry",
      severity: 'error',
      from: { path: '^plugins/', pathNot: '(\\.test|/testing)\\.ts$' },
      to: { path: '^(main|testing)\\.ts$' },
    },
  ],
  options: {
    includeOnly: '^(core|plugins)/|^(main|index|testing)\\.ts$',
    exclude: { path: 'node_modules' },
    doNotFollow: { path: 'node_modules' },
    // type-only imports are kept (and marked) so the rules above can exempt them
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
}
