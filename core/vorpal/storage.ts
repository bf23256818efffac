/**
 * `vorpal.localStorage(id)`: node-localstorage's synchronous string store, kept in one JSON file per id under
 * synadm's data folder (`$XDG_DATA_HOME/synadm/vorpal/<id>.json`, else `~/.local/share/…`), readable by the user only.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { dataDir } from '../kernel/dirs.js'

export interface Storage {
  getItem(key: string): string | null
  setItem(key: string, value: unknown): void
  removeItem(key: string): void
  clear(): void
  key(index: number): string | null
  readonly length: number
}

export function storageFile(id: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'vorpal', `${encodeURIComponent(id)}.json`)
}

export function openStorage(id: string, env: NodeJS.ProcessEnv = process.env): Storage {
  if (!id) throw new Error('vorpal.localStorage() requires a unique key to be passed in.')
  const file = storageFile(id, env)
  const read = (): Record<string, string> => {
    try {
      return JSON.parse(readFileSync(file, 'utf8'))
    } catch {
      return {}
    }
  }
  const write = (items: Record<string, string>) => {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
    const temp = `${file}.${process.pid}.tmp`
    writeFileSync(temp, JSON.stringify(items), { mode: 0o600 })
    renameSync(temp, file)
  }
  return {
    getItem: (key) => read()[key] ?? null,
    setItem: (key, value) => write({ ...read(), [key]: String(value) }),
    removeItem: (key) => {
      const { [key]: _removed, ...rest } = read()
      write(rest)
    },
    clear: () => write({}),
    key: (index) => Object.keys(read())[index] ?? null,
    get length() {
      return Object.keys(read()).length
    },
  }
}
