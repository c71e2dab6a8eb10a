/**
 * Error-report telemetry (GET/DELETE `telemetry`): a byte blob of at least 5 bytes whose bytes 3..4 hold
 * the data length (big-endian uint16), followed by the data. Our data is one line of JSON per report
 * (app crashes, restarts). Persisted in `<stateDir>/telemetry.bin`; DELETE clears it at once.
 *
 * Layout: `53 54 01 LL LL <data>` ("ST", format version 1, length, data).
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../../util/atomic-file.js'

export const TELEMETRY_HEADER = 5
export const TELEMETRY_MAX_DATA = 0xffff

export interface TelemetryReport {
  /** Wall-clock time (ms since 1970). */
  time: number
  kind: 'app-crash' | 'app-exit' | 'restart' | 'boot'
  componentId?: string
  detail?: string
  /** For an app crash: the error report's description, as the device reports it (see appCrashDescription). */
  description?: string
}

/** Signal numbers the OS's crash reasons name or imply (Linux ARM numbering). */
const SIGNAL_OF_TRAP: [RegExp, number][] = [
  [/^signal (\d+)/, 0],
  [/^killed by signal (\d+)/, 0],
  [/^trap: memory access out of bounds/, 11], // SIGSEGV
  [/^trap: /, 4], // SIGILL: any other WebAssembly trap (unreachable, divide by zero, ...)
]

/**
 * The description an Azure Sphere error report gives an app crash, e.g. for a NULL dereference
 * `AppCrash (exit_status=11; signal_status=11; signal_code=3; component_id=...; image_id=...)`: the signal
 * that ended the process, as its wait status (signal_code 3 = CLD_DUMPED; 2 = CLD_KILLED for SIGKILL), or
 * for a non-zero exit `AppExit (exit_code=N; ...)`. Undefined when the reason names no signal or exit.
 */
export function appCrashDescription(
  componentId: string,
  imageId: string | undefined,
  reason: string,
): string | undefined {
  const ids = `component_id=${componentId}${imageId ? `; image_id=${imageId}` : ''}`
  for (const [re, signo] of SIGNAL_OF_TRAP) {
    const m = re.exec(reason)
    if (!m) continue
    const n = signo || Number(m[1])
    const code = n === 9 ? 2 : 3
    return `AppCrash (exit_status=${n}; signal_status=${n}; signal_code=${code}; ${ids})`
  }
  const exit = /^exit (\d+)/.exec(reason)
  return exit ? `AppExit (exit_code=${exit[1]}; ${ids})` : undefined
}

export function encodeTelemetry(data: Uint8Array): Buffer {
  const n = Math.min(data.length, TELEMETRY_MAX_DATA)
  const out = Buffer.alloc(TELEMETRY_HEADER + n)
  out[0] = 0x53
  out[1] = 0x54
  out[2] = 0x01
  out.writeUInt16BE(n, 3)
  Buffer.from(data.buffer, data.byteOffset, n).copy(out, TELEMETRY_HEADER)
  return out
}

export class Telemetry {
  private data: Buffer = Buffer.alloc(0)
  private readonly file: string | undefined

  private constructor(file: string | undefined) {
    this.file = file
  }

  static open(stateDir: string | undefined): Telemetry {
    const t = new Telemetry(stateDir === undefined ? undefined : join(stateDir, 'telemetry.bin'))
    if (t.file && existsSync(t.file)) {
      try {
        const raw = readFileSync(t.file)
        if (raw.length >= TELEMETRY_HEADER)
          t.data = raw.subarray(TELEMETRY_HEADER, TELEMETRY_HEADER + raw.readUInt16BE(3))
      } catch {
        t.data = Buffer.alloc(0)
      }
    }
    return t
  }

  /** The blob GET telemetry returns. */
  bytes(): Buffer {
    return encodeTelemetry(this.data)
  }

  dataLength(): number {
    return this.data.length
  }

  /** Append one report; the oldest reports are dropped when the 64 KiB data limit is reached. */
  record(r: TelemetryReport): void {
    let next = Buffer.concat([this.data, Buffer.from(`${JSON.stringify(r)}\n`)])
    while (next.length > TELEMETRY_MAX_DATA) {
      const nl = next.indexOf(0x0a)
      next = nl < 0 ? Buffer.alloc(0) : next.subarray(nl + 1)
    }
    this.data = next
    this.persist()
  }

  clear(): void {
    this.data = Buffer.alloc(0)
    this.persist()
  }

  private persist(): void {
    if (this.file) writeFileAtomic(this.file, this.bytes())
  }
}
