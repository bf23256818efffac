import { Writable } from 'node:stream'

/** A Writable that keeps what is written: for pipes between shell commands and for tests. */
export class Capture extends Writable {
  text = ''
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void) {
    this.text += chunk.toString()
    done()
  }
}
