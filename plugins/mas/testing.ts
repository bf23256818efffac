/** For unit tests (nock): a Synapse's answer to the mas plugin's question whether it delegates auth to MAS. */
import nock from 'nock'
import { TEST_BASE_URL } from 'synadm/testing'

/** A Synapse that delegates nothing: its auth metadata endpoint and client well-known are unknown (for every request). */
export function plainSynapse(base = TEST_BASE_URL) {
  return nock(base)
    .persist()
    .get('/_matrix/client/v1/auth_metadata')
    .reply(404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' })
    .get('/.well-known/matrix/client')
    .reply(404, { errcode: 'M_NOT_FOUND', error: 'Not found' })
}

/** A Synapse that delegates auth to the MAS at `mas` (for every request). */
export function masSynapse(mas: string, base = TEST_BASE_URL) {
  return nock(base, { badheaders: ['authorization'] })
    .persist()
    .get('/_matrix/client/v1/auth_metadata')
    .reply(200, { issuer: `${mas}/`, token_endpoint: `${mas}/oauth2/token`, account_management_uri: `${mas}/account/` })
}

/** The interceptors no request used, leaving out the answers to the MAS question (mocked for every request). */
export const unusedMocks = () => nock.pendingMocks().filter((mock) => !/auth_metadata|well-known/.test(mock))
