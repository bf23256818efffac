// For tests that prove nothing was sent: every request to the test server, whatever its method and path.
import nock from 'nock'
import { TEST_BASE_URL } from '../../core/app/in-process.js'

/** Counts every request to the test server (each answered 200 `{}`): `METHOD path`, in the order sent. */
export function countRequests() {
  const seen: string[] = []
  const scope = nock(TEST_BASE_URL).persist()
  for (const method of ['get', 'post', 'put', 'delete'] as const) {
    scope[method](() => true).reply(function () {
      seen.push(`${this.req.method} ${this.req.path}`)
      return [200, {}]
    })
  }
  return seen
}
