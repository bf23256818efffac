// Stand-in for axios's fetch adapter in the bundle: synadm uses the http adapter only.
export const getFetch = () => undefined
export default undefined
