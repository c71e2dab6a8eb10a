// sphere-sdk AssemblyScript library: Log_Debug. The text goes to the app's log with one applibs.log_write
// call (UTF-8, no NUL), as the C library's Log_Debug does after formatting.
import {applibs_log_write} from "./imports"
import {check} from "./errno"

const STATIC_BYTES: u32 = 512

export namespace Log {
  /** Writes `text` to the app log (add "\n" yourself, as with Log_Debug). Returns 0, or -1 with errno set. */
  export function debug(text: string): i32 {
    const bytes = <u32>String.UTF8.byteLength(text)
    if (bytes <= STATIC_BYTES) {
      const buffer = memory.data(<i32>STATIC_BYTES)
      const n = String.UTF8.encodeUnsafe(changetype<usize>(text), text.length, buffer)
      return check(applibs_log_write(buffer, <u32>n)) < 0 ? -1 : 0
    }
    const encoded = String.UTF8.encode(text)
    return check(applibs_log_write(changetype<usize>(encoded), <u32>encoded.byteLength)) < 0 ? -1 : 0
  }
}

// Helpers for messages that must not allocate (abort): they append to a caller-owned buffer and return the
// new length. They take strings as raw pointers and keep no module state, so the compiler adds nothing
// (no GC shadow-stack bookkeeping, no initialisation) however early or late it needs them.

/** @internal Appends the string at `text` (a raw String pointer, 0 = none); non-ASCII becomes '?'. */
export function appendAscii(buffer: usize, length: u32, capacity: u32, text: usize): u32 {
  if (text == 0) return length
  const units = load<u32>(text - 4) >> 1 // the object header's byte size, in UTF-16 code units
  for (let i: u32 = 0; i < units && length < capacity; i++) {
    const c = load<u16>(text + (<usize>i << 1))
    store<u8>(buffer + length++, c < 0x80 ? <u8>c : 0x3f)
  }
  return length
}

/** @internal Appends a decimal number. */
export function appendU32(buffer: usize, length: u32, capacity: u32, value: u32): u32 {
  let digits: u32 = 1
  for (let v = value; v >= 10; v /= 10) digits++
  if (length + digits > capacity) return length
  let v = value
  for (let i = digits; i > 0; i--) {
    store<u8>(buffer + length + i - 1, <u8>(0x30 + v % 10))
    v /= 10
  }
  return length + digits
}
