/**
 * The raw plugin: any request to the Admin API (`raw`) or the Client-Server API (`matrix raw`), with
 * synadm's options. Both live here so the request and body handling exist once (declarations only).
 */
import { defineCommand, defineOptions, definePlugin, lazy, PLUGIN_API_VERSION } from '../../core/index.js'

const commands = lazy(() => import('./commands.js'))

const requestOptions = defineOptions([
  { flags: '-m, --method <method>', choices: ['get', 'post', 'put', 'delete'], default: 'get', description: 'the HTTP method of the request' },
  {
    flags: '-d, --data <json>',
    default: '{}',
    description: `the JSON body of post, put and delete requests, e.g. '{"key1": "value1", "key2": 123}' (quote it for the shell)`,
  },
  { flags: '-f, --data-file <file>', type: 'file', description: 'read the JSON body from this file; - reads stdin' },
  { flags: '--allow-outside', description: 'send ENDPOINT even when it resolves outside the API path (../, %2e%2e)' },
])
const dataGroup = { kind: 'exclusive' as const, options: ['data', 'dataFile'], title: 'Data' }

export const adminRaw = defineCommand({
  path: 'raw',
  description: 'Send any request to the Synapse Admin API',
  help:
    'ENDPOINT is the part of the URL after the base URL and the Admin API path, sent as typed: URL-encode IDs ' +
    'yourself, e.g. `synadm raw v2/users/%40alice%3Aexample.org`. An error reply exits non-zero. See -vv for the wire log.',
  args: '<endpoint>',
  argInfo: { endpoint: { description: 'path below the Admin API, e.g. v1/server_version' } },
  options: requestOptions,
  groups: [dataGroup],
  writes: true,
  load: commands('adminRaw'),
})
export const matrixRaw = defineCommand({
  path: 'matrix raw',
  description: 'Send any request to the Matrix Client-Server API',
  help:
    'ENDPOINT is the part of the URL after the base URL and the Matrix API path, sent as typed (URL-encode it ' +
    'yourself), e.g. `synadm matrix raw client/versions`. The token is, in this order: the one asked for with ' +
    "--prompt, --token, $MTOKEN, an access_token in ENDPOINT's query, the configured admin token. Act on other users' behalf responsibly.",
  args: '<endpoint>',
  argInfo: { endpoint: { description: 'path below the Matrix API, e.g. client/v3/account/whoami' } },
  options: [
    ...requestOptions,
    {
      flags: '-t, --token <token>',
      description: 'access token to use instead of the admin token [env: MTOKEN] (other users can see command lines: prefer $MTOKEN or --prompt)',
    },
    { flags: '-p, --prompt', description: 'ask for the access token in a hidden prompt (overrides $MTOKEN)' },
  ],
  groups: [dataGroup, { kind: 'exclusive', options: ['token', 'prompt'], title: 'Matrix token' }],
  writes: true,
  load: commands('matrixRaw'),
})

export default definePlugin({
  name: 'raw',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    ctx.command(adminRaw)
    ctx.command(matrixRaw)
  },
})
