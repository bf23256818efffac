/**
 * Vorpal extensions as plugins: a module exporting a function `(vorpal, options) => void` (no apiVersion) runs
 * against a vorpal-shaped facade over synadm's registry. Only this adapter loads at start; the facade loads
 * when a configured plugin turns out to be a vorpal extension.
 */
import { basename, dirname, extname, isAbsolute } from 'node:path'
import { registerPluginAdapter } from '../plugin-host/loader.js'
import { PLUGIN_API_VERSION, type SynadmPlugin } from '../contract/plugin.js'

export type VorpalExtension = (this: unknown, vorpal: unknown, options?: unknown) => unknown

/** The plugin name of an extension: a package name as given; a file by its name, an index file by its folder. */
export function extensionName(source: string): string {
  if (!source.startsWith('.') && !isAbsolute(source)) return source
  const file = basename(source, extname(source))
  return file === 'index' ? basename(dirname(source)) : file
}

export function vorpalPlugin(extension: VorpalExtension, name: string): SynadmPlugin {
  return {
    name,
    apiVersion: PLUGIN_API_VERSION,
    async setup(ctx, options) {
      const { useExtension } = await import('./facade.js')
      await useExtension(ctx, extension, options)
    },
  }
}

registerPluginAdapter((exported, source) =>
  typeof exported === 'function' && !('apiVersion' in exported) ? vorpalPlugin(exported as VorpalExtension, extensionName(source)) : undefined,
)
