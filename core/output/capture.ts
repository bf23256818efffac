import { Writable } from 'node:stream'

/**
 * A Writable that keeps what is written: for pipes between shell commands and for tests.
 * For the next command of a pipe the output is a list of records: each line, or as one record what a writer
 * passed to record() (one `this.log` call of a vorpal extension, even across lines).
 */
export class Capture extends Writable {
  text = ''
  private readonly pieces: { text: string; whole: boolean }[] = []

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void) {
    const text = chunk.toString()
    this.text += text
    this.pieces.push({ text, whole: false })
    done()
  }

  /** Writes `text` and a newline, kept as one record. */
  record(text: string): void {
    this.text += text + '\n'
    this.pieces.push({ text, whole: true })
  }

  get records(): string[] {
    const records: string[] = []
    let loose = ''
    const flush = () => {
      records.push(...loose.split('\n').filter((line) => line !== ''))
      loose = ''
    }
    for (const piece of this.pieces) {
      if (!piece.whole) loose += piece.text
      else {
        flush()
        records.push(piece.text)
      }
    }
    flush()
    return records
  }
}

/** One record on `stream`: kept whole when it feeds a pipe, a line of text otherwise. */
export function writeRecord(stream: NodeJS.WritableStream, text: string): void {
  if (stream instanceof Capture) stream.record(text)
  else stream.write(text + '\n')
}
