// Stand-in for follow-redirects in the bundle: synadm sets maxRedirects 0, so axios uses node's own transports.
// https (and TLS with it) loads on first use; `require` is the bundle's own, from its banner.
import http from 'node:http'

let realHttps
const https = new Proxy({}, { get: (_, key) => (realHttps ??= require('node:https'))[key] })

export default { http, https }
