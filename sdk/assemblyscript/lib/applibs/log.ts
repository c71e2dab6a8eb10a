// sphere-sdk AssemblyScript library: Log_Debug. The text goes to the app's log with one applibs.log_write
// call (UTF-8, no NUL), as the C library's Log_Debug does after formatting.
import {applibs_log_write} from "./imports"
import {check} from "./errno"

const STATIC_BYTES: i32 = 512
const staticBuffer: usize = memory.data(STATIC_BYTES)

export namespace Log {
  /** Writes `text` to the app log (add "\n" yourself, as with Log_Debug). Returns 0, or -1 with errno set. */
  export function debug(text: string): i32 {
    const bytes = String.UTF8.byteLength(text)
    if (bytes <= STATIC_BYTES) {
      const n = String.UTF8.encodeUnsafe(changetype<usize>(text), text.length, staticBuffer)
      return check(applibs_log_write(staticBuffer, <u32>n)) < 0 ? -1 : 0
    }
    const encoded = String.UTF8.encode(text)
    return check(applibs_log_write(changetype<usize>(encoded), <u32>encoded.byteLength)) < 0 ? -1 : 0
  }
}

// A fixed buffer for messages that must not allocate (abort, out-of-memory paths).
const LINE_BYTES: u32 = 256
const lineBuffer: usize = memory.data(<i32>LINE_BYTES)
let lineLength: u32 = 0

/** @internal Starts a line in the fixed buffer. */
export function lineStart(): void {
  lineLength = 0
}

/** @internal Appends a string (ASCII-safe; other characters become '?') without allocating. */
export function lineAppend(text: string | null): void {
  if (text === null) return
  const s = changetype<string>(text)
  for (let i = 0, n = s.length; i < n && lineLength < LINE_BYTES; i++) {
    const c = s.charCodeAt(i)
    store<u8>(lineBuffer + lineLength++, c < 0x80 ? <u8>c : 0x3f)
  }
}

/** @internal Appends a decimal number without allocating. */
export function lineAppendU32(value: u32): void {
  let digits: u32 = 1
  for (let v = value; v >= 10; v /= 10) digits++
  if (lineLength + digits > LINE_BYTES) return
  let v = value
  for (let i = digits; i > 0; i--) {
    store<u8>(lineBuffer + lineLength + i - 1, <u8>(0x30 + v % 10))
    v /= 10
  }
  lineLength += digits
}

/** @internal Writes the fixed buffer as one log line. */
export function lineFlush(): void {
  applibs_log_write(lineBuffer, lineLength)
  lineLength = 0
}
