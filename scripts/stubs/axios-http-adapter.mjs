// Stand-in for axios's http adapter in the bundle: synadm sends every request through its own transport
// (core/http/transport.ts), which it gives axios as the adapter. axios then reports 'http' as not available.
export default undefined
