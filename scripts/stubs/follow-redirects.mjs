// Stand-in for follow-redirects in the bundle: synadm sets maxRedirects 0, so axios uses node's own transports.
import http from 'node:http'
import https from 'node:https'
export default { http, https }
