// MAS's published contract for its admin API: checks one recorded exchange (a request and its reply) against MAS's
// OpenAPI document with a JSON-Schema validator. The document stays outside the repository (MAS is AGPL): CI has
// it at ../shared/knowledge/ beside the clone; where it is absent, loadContract() gives null and tests skip.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'

// ajv-formats is CommonJS: its default export arrives wrapped under NodeNext.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const SPEC_PATH = resolve(repoRoot, '../shared/knowledge/mas-admin-api.spec.json')

/** One admin API call as the stand-in records it (GET /_stand-in/exchanges); no secrets in it. */
export interface Exchange {
  operationId?: string | null
  method: string
  /** Path without the query, e.g. /api/admin/v1/users/01H…/lock */
  path: string
  /** Raw query string, without `?`. */
  query: string
  /** 'bearer', 'other' (some other scheme), or null (no Authorization header). */
  authorization: string | null
  requestContentType: string | null
  requestBody: string | null
  status: number
  responseContentType: string | null
  /** Parsed JSON, text, or null for an empty body. */
  responseBody: unknown
}

/**
 * Replies MAS really gives that its OpenAPI document does not declare, per operation (read in MAS's handlers at the
 * document's commit). Every operation may also answer 400 (Authorization header missing or malformed, a path ID
 * that is no ULID, bad paging or filter parameters), 401 (token unknown, expired or revoked; user locked; scope
 * urn:mas:admin missing) and 500; an operation with a JSON body answers 400, 415 or 422 in text/plain (axum) when
 * the body does not parse or fit.
 */
export const UNDECLARED_STATUSES: Record<string, number[]> = {
  createPersonalSession: [410], // the actor user is deactivated
  regeneratePersonalSession: [403, 422], // not the caller's own session; a revoked session
  addUserRegistrationToken: [409], // the token string exists
}
const ANY_OPERATION = [400, 401, 500]
const BODY_REJECTIONS = [400, 415, 422]

interface Parameter {
  name: string
  in: 'query' | 'path' | 'header'
  required?: boolean
  schema: Schema
}
type Schema = Record<string, unknown>
interface Operation {
  operationId: string
  parameters?: Parameter[]
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> }
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>
  pointer: string
}

export interface Contract {
  /** Every operation of the document: `METHOD /path/{template}` → operationId. */
  operations: Map<string, string>
  /** Problems of the request (empty: it is a request MAS documents). */
  checkRequest(exchange: Exchange): string[]
  /** Problems of the reply, judged as the answer to that request. */
  checkResponse(exchange: Exchange): string[]
}

const pointerEscape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1')

function createAjv(spec: unknown) {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats(ajv)
  // Formats of MAS's document that JSON Schema does not define.
  const uint = (max: number) => ({ type: 'number' as const, validate: (n: number) => Number.isInteger(n) && n >= 0 && n <= max })
  ajv.addFormat('uint', uint(Number.MAX_SAFE_INTEGER))
  ajv.addFormat('uint8', uint(255))
  ajv.addFormat('uint32', uint(0xffffffff))
  ajv.addFormat('ip', (text: string) => ajv.validate({ anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] }, text) as boolean)
  ajv.addSchema({ ...(spec as object), $id: 'mas-spec' })
  return ajv
}

/** The contract, or null when the document is absent (a checkout without shared/ beside it). */
export function loadContract(path = SPEC_PATH): Contract | null {
  if (!existsSync(path)) return null
  const spec = JSON.parse(readFileSync(path, 'utf8'))
  const ajv = createAjv(spec)
  const validators = new Map<string, ValidateFunction>()
  const validate = (pointer: string, value: unknown): string[] => {
    let check = validators.get(pointer)
    if (!check) {
      check = ajv.compile({ $ref: `mas-spec#${pointer}` })
      validators.set(pointer, check)
    }
    if (check(value)) return []
    return (check.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`)
  }
  const deref = (schema: Schema): Schema => {
    const ref = schema.$ref
    if (typeof ref !== 'string') return schema
    const name = ref.replace('#/components/schemas/', '')
    return { ...deref(spec.components.schemas[name]), ...schema, $ref: undefined }
  }

  const templates: { method: string; pattern: RegExp; operation: Operation; template: string }[] = []
  const operations = new Map<string, string>()
  for (const [template, methods] of Object.entries<Record<string, Omit<Operation, 'pointer'>>>(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const pointer = `/paths/${pointerEscape(template)}/${method}`
      const pattern = new RegExp(`^${template.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`)
      templates.push({ method: method.toUpperCase(), pattern, operation: { ...op, pointer }, template })
      operations.set(`${method.toUpperCase()} ${template}`, op.operationId)
    }
  }

  // A literal path (/users/by-username/x) wins over a template ({id}), as in MAS's router.
  const literalness = (t: string) => t.split('/').filter((s) => !s.startsWith('{')).length
  templates.sort((a, b) => literalness(b.template) - literalness(a.template))

  function find(exchange: Exchange) {
    for (const entry of templates) {
      const match = entry.pattern.exec(exchange.path)
      if (match && entry.method === exchange.method) return { operation: entry.operation, pathParams: match.groups ?? {} }
    }
    return null
  }

  /** A query value as the schema reads it: integers and booleans from their text. */
  function typed(schema: Schema, raw: string): unknown {
    const type = deref(schema).type
    const types = Array.isArray(type) ? type : [type]
    if (types.includes('integer') && /^-?\d+$/.test(raw)) return Number(raw)
    if (types.includes('boolean') && (raw === 'true' || raw === 'false')) return raw === 'true'
    return raw
  }

  function checkParameters(exchange: Exchange, operation: Operation, pathParams: Record<string, string>): string[] {
    const problems: string[] = []
    const query = new URLSearchParams(exchange.query)
    const declared = operation.parameters ?? []
    operation.parameters?.forEach((parameter, index) => {
      const pointer = `${operation.pointer}/parameters/${index}/schema`
      if (parameter.in === 'path') {
        const value = decodeURIComponent(pathParams[parameter.name] ?? '')
        problems.push(...validate(pointer, value).map((p) => `path parameter ${parameter.name}: ${p}`))
        return
      }
      if (parameter.in !== 'query') return
      const values = query.getAll(parameter.name)
      if (values.length === 0) {
        if (parameter.required) problems.push(`query parameter ${parameter.name} is required`)
        return
      }
      const isArray = deref(parameter.schema).type === 'array'
      if (!isArray && values.length > 1) problems.push(`query parameter ${parameter.name} is given ${values.length} times`)
      const itemSchema = isArray ? (deref(parameter.schema).items as Schema) : parameter.schema
      const value = isArray ? values.map((v) => typed(itemSchema, v)) : typed(parameter.schema, values[0])
      problems.push(...validate(pointer, value).map((p) => `query parameter ${parameter.name}=${values.join(',')}: ${p}`))
    })
    for (const name of new Set(query.keys())) {
      if (!declared.some((p) => p.in === 'query' && p.name === name)) problems.push(`query parameter ${name} is not in the contract`)
    }
    return problems
  }

  function checkBody(exchange: Exchange, operation: Operation): string[] {
    const body = operation.requestBody
    if (!body) return exchange.requestBody ? ['a request body where the contract has none'] : []
    if (exchange.requestBody === null) return body.required ? ['the request body is required'] : []
    if (!/^application\/json\b/.test(exchange.requestContentType ?? '')) {
      return [`request content type ${exchange.requestContentType} is not application/json`]
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(exchange.requestBody)
    } catch {
      return ['the request body is not JSON']
    }
    return validate(`${operation.pointer}/requestBody/content/application~1json/schema`, parsed).map((p) => `request body ${p}`)
  }

  function checkRequest(exchange: Exchange): string[] {
    const found = find(exchange)
    if (!found) return [`${exchange.method} ${exchange.path} is no operation of the contract`]
    const problems = [...checkParameters(exchange, found.operation, found.pathParams), ...checkBody(exchange, found.operation)]
    if (exchange.authorization !== 'bearer') problems.push('no bearer token (every operation needs urn:mas:admin)')
    return problems
  }

  function checkResponse(exchange: Exchange): string[] {
    const found = find(exchange)
    if (!found) return exchange.status === 404 ? [] : [`${exchange.status} for a path outside the contract (expected 404)`]
    const { operation } = found
    if (operation.requestBody && BODY_REJECTIONS.includes(exchange.status) && exchange.responseContentType === 'text/plain') {
      // axum's answer to a body that does not parse or fit: right only for such a body
      return checkBody(exchange, operation).length ? [] : [`${exchange.status} rejects a body that fits the contract`]
    }
    const declared = operation.responses[String(exchange.status)]
    if (declared) {
      const schemaPointer = `${operation.pointer}/responses/${exchange.status}/content/application~1json/schema`
      if (!declared.content) return exchange.responseBody === null ? [] : [`${exchange.status} must have no body`]
      if (exchange.responseContentType !== 'application/json') return [`${exchange.status} is not JSON`]
      return validate(schemaPointer, exchange.responseBody).map((p) => `reply ${exchange.status} ${p}`)
    }
    const allowed = [...ANY_OPERATION, ...(UNDECLARED_STATUSES[operation.operationId] ?? [])]
    if (!allowed.includes(exchange.status)) return [`status ${exchange.status} is neither in the contract nor a known MAS reply`]
    return validate('/components/schemas/ErrorResponse', exchange.responseBody).map((p) => `error reply ${exchange.status} ${p}`)
  }

  return { operations, checkRequest, checkResponse }
}
