/** `vorpal.chalk`: chalk 1.x's colour functions (`chalk.red('x')`, `chalk.bold.cyan('x')`) on plain ANSI codes. */

const STYLES = {
  reset: [0, 0],
  bold: [1, 22],
  dim: [2, 22],
  italic: [3, 23],
  underline: [4, 24],
  inverse: [7, 27],
  hidden: [8, 28],
  strikethrough: [9, 29],
  black: [30, 39],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  white: [37, 39],
  gray: [90, 39],
  grey: [90, 39],
  bgBlack: [40, 49],
  bgRed: [41, 49],
  bgGreen: [42, 49],
  bgYellow: [43, 49],
  bgBlue: [44, 49],
  bgMagenta: [45, 49],
  bgCyan: [46, 49],
  bgWhite: [47, 49],
} as const

export type StyleName = keyof typeof STYLES
type Style = (...text: unknown[]) => string
export type Chalk = Style & { [K in StyleName]: Chalk } & {
  enabled: boolean
  supportsColor: boolean
  styles: Record<StyleName, { open: string; close: string }>
  stripColor(text: string): string
  hasColor(text: string): boolean
}

const ANSI = /\u001b\[[0-9;]*m/g
export const stripColor = (text: string) => String(text).replace(ANSI, '')

/** chalk's rule: FORCE_COLOR, else NO_COLOR, else a terminal that is not `dumb`. */
export function colorWanted(env: NodeJS.ProcessEnv = process.env, stream: { isTTY?: boolean } = process.stdout): boolean {
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false'
  if (env.NO_COLOR !== undefined) return false
  return Boolean(stream.isTTY) && env.TERM !== 'dumb'
}

const codes = Object.fromEntries(
  Object.entries(STYLES).map(([name, [open, close]]) => [name, { open: `\u001b[${open}m`, close: `\u001b[${close}m` }]),
) as Record<StyleName, { open: string; close: string }>

export function createChalk(enabled = colorWanted()): Chalk {
  const state = { enabled }
  // Every chained style is a function whose prototype has the style getters, as in chalk 1.
  const proto: Record<string, unknown> = {}
  const build = (styles: StyleName[]): Chalk => {
    const style = ((...text: unknown[]) => {
      let out = text.join(' ')
      if (!state.enabled || !out) return out
      for (const name of styles) {
        const { open, close } = codes[name]
        // Re-open after an inner close, so nested styles survive.
        out = open + out.split(close).join(close + open) + close
      }
      return out
    }) as Chalk
    Object.setPrototypeOf(style, proto)
    Object.defineProperty(style, 'styleNames', { value: styles })
    return style
  }
  for (const name of Object.keys(STYLES) as StyleName[]) {
    Object.defineProperty(proto, name, {
      get(this: { styleNames: StyleName[] }) {
        return build([name, ...this.styleNames])
      },
    })
  }
  Object.defineProperty(proto, 'enabled', {
    get: () => state.enabled,
    set: (value: boolean) => void (state.enabled = value),
  })
  const chalk = build([])
  Object.assign(proto, { styles: codes, stripColor, hasColor: (text: string) => stripColor(text) !== text })
  Object.defineProperty(proto, 'supportsColor', { get: () => colorWanted() })
  return chalk
}
