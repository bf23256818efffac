/** The shells that @pnpm/tabtab writes completion scripts for: the `completion` commands' declarations and actions share them. */
export const SHELLS = ['bash', 'zsh', 'fish', 'pwsh'] as const
export type Shell = (typeof SHELLS)[number]
