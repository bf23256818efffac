/** Reading a whole file, or stdin for `-`: request bodies, and secrets that must not go on argv. */
import type { Readable } from 'node:stream'
import { SynadmError } from '../kernel/errors.js'

/** Reads a whole file; `-` reads the given stream (stdin) to its end. */
export async function readInput(file: string, stdin: Readable = process.stdin): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = []
    for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
    return Buffer.concat(chunks).toString('utf8')
  }
  try {
    // loaded here, not at start: node:fs/promises brings the streams and readline modules
    const { readFile } = await import('node:fs/promises')
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new SynadmError('failure', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
}
