// Stand-in for form-data in the bundle: synadm sends JSON only.
export default class FormData {}
