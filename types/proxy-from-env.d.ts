// proxy-from-env ships no types: the one function synadm's transport (core/http/transport.ts) uses.
declare module 'proxy-from-env' {
  /** The proxy URL that the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY …) names for `url`, or '' for none. */
  export function getProxyForUrl(url: string | URL): string
}
