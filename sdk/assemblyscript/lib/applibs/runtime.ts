// sphere-sdk AssemblyScript library: what every app module needs besides its own code. The build adds
// sdk/assemblyscript/start.ts as an entry file, which exports the unwind area from here, and routes the
// standard library's host calls here (--use NAME=...): `abort` (failed assertions, bounds checks, out of
// memory) to sphereAbort, `trace` to sphereTrace and `seed` (Math.random) to sphereSeed, so a module never
// imports env.abort / env.trace / env.seed.
import {applibs_log_write, wasi_fd_close, wasi_proc_exit, wasi_random_get} from "./imports"
import {checkWasi} from "./errno"
import {Log, appendAscii, appendU32} from "./log"

// The area the OS suspends the app into while it waits in a blocking call (the runtime's Asyncify data:
// the wasm call stack is saved here). The C SDK links the same 8 KiB (sdk/libapplibs/unwind.c). The OS calls
// the exports before _start, so this must not depend on any initialisation: memory.data is a constant.
const UNWIND_BYTES: u32 = 8192

/** @internal Exported by start.ts: where the OS saves the call stack of a suspended app. */
export function unwindAreaPointer(): usize {
  return memory.data(<i32>UNWIND_BYTES, 16)
}

/** @internal Exported by start.ts: the size of that area in bytes. */
export function unwindAreaSize(): u32 {
  return UNWIND_BYTES
}

/**
 * @internal The compiler's abort (--use abort=...): logs "abort: MESSAGE at FILE:LINE:COLUMN" without
 * allocating, then traps, so the OS records a crash as it does for a C app's abort().
 */
export function sphereAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  const cap: u32 = 256
  const buf = memory.data(<i32>cap)
  const msg = changetype<usize>(message)
  const file = changetype<usize>(fileName)
  let n = appendAscii(buf, 0, cap, changetype<usize>("abort: "))
  n = appendAscii(buf, n, cap, msg != 0 ? msg : changetype<usize>("(no message)"))
  if (file != 0) {
    n = appendAscii(buf, n, cap, changetype<usize>(" at "))
    n = appendAscii(buf, n, cap, file)
    n = appendAscii(buf, n, cap, changetype<usize>(":"))
    n = appendU32(buf, n, cap, line)
    n = appendAscii(buf, n, cap, changetype<usize>(":"))
    n = appendU32(buf, n, cap, column)
  }
  n = appendAscii(buf, n, cap, changetype<usize>("\n"))
  applibs_log_write(buf, n)
  unreachable()
}

/** @internal The standard library's trace(message, n, a0..a4): one log line "trace: message a0, a1, ...". */
export function sphereTrace(message: string, n: i32 = 0, a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0, a4: f64 = 0): void {
  let text = "trace: " + message
  if (n > 0) text += " " + a0.toString()
  if (n > 1) text += ", " + a1.toString()
  if (n > 2) text += ", " + a2.toString()
  if (n > 3) text += ", " + a3.toString()
  if (n > 4) text += ", " + a4.toString()
  Log.debug(text + "\n")
}

/** @internal The standard library's seed() for Math.random: 53 random bits from WASI random_get. */
export function sphereSeed(): f64 {
  const cell = memory.data(8, 8)
  wasi_random_get(cell, 8)
  return <f64>(load<u64>(cell) >> 11)
}

/** Ends the app now with `code` as its exit code (WASI proc_exit). */
export function exit(code: i32): void {
  wasi_proc_exit(<u32>code)
}

/** close(fd): 0, or -1 with errno set. */
export function close(fd: i32): i32 {
  return checkWasi(wasi_fd_close(fd))
}
