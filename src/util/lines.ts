import type {Readable} from 'node:stream'

/** Hand each non-blank line of a text stream (an NDJSON response) to `onLine` as it arrives. */
export function eachLine(stream: Readable, onLine: (line: string) => void): void {
  let buf = ''
  stream.setEncoding('utf8')
  stream.on('data', (c: string) => {
    buf += c
    let i: number
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      if (line.trim()) onLine(line)
    }
  })
}
