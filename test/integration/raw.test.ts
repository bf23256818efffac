// raw against a real Synapse: any Admin API call, with the body from -d, a file or stdin; errors exit non-zero.
import { describe, expect, inject, it } from 'vitest'
import { adminRequest, uniqueName } from './fixtures.js'
import { EXIT, expectSameAsPython, fails, ok, skipWithoutPython, synadm } from './run-helpers.js'
import { synapse } from './synapse-info.js'

const tokenPath = (token: string) => `v1/registration_tokens/${encodeURIComponent(token)}`

describe.skipIf(!inject('synapse').available)('raw', () => {
  it('reads give the same data as the Python synadm', async (context) => {
    skipWithoutPython(context)
    expect(await expectSameAsPython('raw', ['raw', 'v1/server_version'])).toEqual({ server_version: synapse().version })
    const admin = await expectSameAsPython('raw', ['raw', `v2/users/${encodeURIComponent(synapse().adminUserId)}`])
    expect(admin).toMatchObject({ name: synapse().adminUserId, admin: true })
  })

  it('post, put and delete with -d and -f -; each change is visible through the API', async () => {
    const token = uniqueName('rawtok')
    expect(ok(await synadm(['raw', 'v1/registration_tokens/new', '-m', 'post', '-d', JSON.stringify({ token, uses_allowed: 1 })]))).toMatchObject({ token })
    expect(await adminRequest('GET', `/_synapse/admin/${tokenPath(token)}`)).toMatchObject({ uses_allowed: 1 })

    ok(await synadm(['raw', tokenPath(token), '-m', 'put', '-f', '-'], { input: '{"uses_allowed": 4}' }))
    expect(await adminRequest('GET', `/_synapse/admin/${tokenPath(token)}`)).toMatchObject({ uses_allowed: 4 })

    expect(ok(await synadm(['raw', tokenPath(token), '-m', 'delete']))).toEqual({})
    await expect(adminRequest('GET', `/_synapse/admin/${tokenPath(token)}`)).rejects.toThrow(/404/)
  })

  it('error replies exit non-zero with nothing on stdout', async () => {
    const missing = await synadm(['raw', tokenPath(uniqueName('missing'))])
    expect(fails(missing, EXIT.notFound)).toContain('M_NOT_FOUND')
    expect(missing.stdout).toBe('')
    expect(fails(await synadm(['raw', 'v1/no_such_endpoint']), EXIT.notFound)).toContain('M_UNRECOGNIZED')
    expect(fails(await synadm(['raw', 'v1/registration_tokens/new', '-m', 'post', '-d', '{"length": -1}']), EXIT.api)).toContain('400')
    expect(fails(await synadm(['raw', 'v1/registration_tokens/new', '-m', 'post', '-d', '{oops']), EXIT.usage)).toContain('not JSON')
  })
})
