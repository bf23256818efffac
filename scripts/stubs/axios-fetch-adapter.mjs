// Stand-in for axios's fetch adapter in the bundle: synadm sends every request through its own transport.
export const getFetch = () => undefined
export default undefined
