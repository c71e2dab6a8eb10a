/**
 * The recording file (`sim start --record FILE`, `sphere replay FILE`): JSON Lines. The first line is the
 * header: the clock, CLOCK_REALTIME at boot, the world file and every file of the device's state directory
 * when recording began (so a fresh device boots into the same state, identity included). Each further line is
 * one input, stamped with the boot it entered, the scheduling point (`step`, Kernel.steps) and the virtual
 * time (ns) at which it was applied:
 *
 *   {"in":"rest", boot, step, t, method, url, contentType?, body?, transport?}   a REST request (body base64)
 *   {"in":"host", boot, step, t, source, object, event, args?}                   bytes / events from the host
 *   {"in":"clock", boot, step, t}                                                time a host wait let pass
 *   {"end":true, boot, step, t}                                                  where the recording stopped
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative, sep} from 'node:path'
import {OsError} from '../errors.js'

export const RECORDING_FORMAT = 'sphere-recording'
export const RECORDING_VERSION = 1
/** A recording stops growing past this size (a marker line says so; replay then refuses it). */
export const MAX_RECORDING_BYTES = 256 * 1024 * 1024
/** The state directory a recording may start from (images, storage, logs): at most this much. */
export const MAX_STATE_BYTES = 64 * 1024 * 1024

export type RecordedClock = 'fast-forward' | 'paced'

export interface RecordingHeader {
  format: typeof RECORDING_FORMAT
  version: typeof RECORDING_VERSION
  createdAt: string
  clock: RecordedClock
  epochMs: number
  deviceId: string
  /** The world file the device was started with (its text), or null. */
  world: string | null
  /** Files of the state directory (path relative to it, '/'-separated -> base64). */
  state: Record<string, string>
  /** The device ran several high-level apps side by side (DeviceBootOptions.multiApp); absent: one, as a real device. */
  multiApp?: true
}

interface Stamp {
  boot: number
  step: number
  t: number
}

export type RestRecord = Stamp & {in: 'rest'; method: string; url: string; contentType?: string; body?: string; transport?: string}
export type HostRecord = Stamp & {in: 'host'; source: string; object: string; event: string; args?: unknown[]}
export type ClockRecord = Stamp & {in: 'clock'}
export type EndRecord = Stamp & {end: true}
export type InputRecord = RestRecord | HostRecord | ClockRecord
export type RecordLine = InputRecord | EndRecord

export interface Recording {
  header: RecordingHeader
  inputs: InputRecord[]
  end?: EndRecord
}

/** Directories of a state dir that are derived data (never recorded). */
const DERIVED = new Set(['cache'])

/** Read a device state directory into a recording's `state` map. */
export function readStateDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  let total = 0
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      const rel = relative(dir, p).split(sep).join('/')
      if (DERIVED.has(rel) || name.endsWith('.tmp')) continue
      const st = statSync(p)
      if (st.isDirectory()) walk(p)
      else if (st.isFile()) {
        total += st.size
        if (total > MAX_STATE_BYTES)
          throw new OsError('RECORDING_STATE_TOO_LARGE', `the device state in ${dir} is over ${MAX_STATE_BYTES} bytes; a recording cannot start from it`)
        out[rel] = readFileSync(p).toString('base64')
      }
    }
  }
  walk(dir)
  return out
}

const isStamp = (v: Record<string, unknown>): boolean =>
  Number.isSafeInteger(v.boot) && (v.boot as number) >= 0 && Number.isSafeInteger(v.step) && (v.step as number) >= 0 && typeof v.t === 'number' && Number.isFinite(v.t)

/** Parse a recording; throws OsError('RECORDING_INVALID') naming the file and the first bad line. */
export function parseRecording(text: string, file = 'the recording'): Recording {
  const bad = (line: number, why: string) => new OsError('RECORDING_INVALID', `${file} line ${line}: ${why}`)
  const lines = text.split('\n')
  let header: RecordingHeader | undefined
  const inputs: InputRecord[] = []
  let end: EndRecord | undefined
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line.trim() === '') continue
    let v: Record<string, unknown>
    try {
      v = JSON.parse(line) as Record<string, unknown>
    } catch {
      throw bad(i + 1, 'not JSON')
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad(i + 1, 'not a JSON object')
    if (!header) {
      if (v.format !== RECORDING_FORMAT) throw bad(i + 1, `not a sphere recording (format is not "${RECORDING_FORMAT}")`)
      if (v.version !== RECORDING_VERSION) throw bad(i + 1, `recording version ${String(v.version)} is not supported (this simulator reads ${RECORDING_VERSION})`)
      if (v.clock !== 'fast-forward' && v.clock !== 'paced') throw bad(i + 1, 'clock must be fast-forward or paced')
      if (typeof v.epochMs !== 'number' || typeof v.deviceId !== 'string') throw bad(i + 1, 'epochMs and deviceId are required')
      if (v.world !== null && typeof v.world !== 'string') throw bad(i + 1, 'world must be the world file text or null')
      if (v.multiApp !== undefined && v.multiApp !== true) throw bad(i + 1, 'multiApp must be true or absent')
      if (!v.state || typeof v.state !== 'object' || Object.values(v.state).some((x) => typeof x !== 'string'))
        throw bad(i + 1, 'state must map file paths to base64')
      for (const k of Object.keys(v.state as object))
        if (k.startsWith('/') || k.split('/').includes('..') || k.includes('\\')) throw bad(i + 1, `state path '${k}' leaves the state directory`)
      header = v as unknown as RecordingHeader
      continue
    }
    if (end) throw bad(i + 1, 'input after the end marker')
    if (v.truncated === true)
      throw new OsError('RECORDING_TRUNCATED', `${file} was cut off at line ${i + 1} (it reached its size limit): it cannot be replayed to its end`)
    if (!isStamp(v)) throw bad(i + 1, 'boot, step and t are required')
    if (v.end === true) {
      end = v as unknown as EndRecord
      continue
    }
    if (v.in === 'rest') {
      if (typeof v.method !== 'string' || typeof v.url !== 'string' || !v.url.startsWith('/')) throw bad(i + 1, 'a rest input needs method and url')
      if (v.body !== undefined && typeof v.body !== 'string') throw bad(i + 1, 'body must be base64')
    } else if (v.in === 'host') {
      if (typeof v.source !== 'string' || typeof v.object !== 'string' || typeof v.event !== 'string') throw bad(i + 1, 'a host input needs source, object and event')
      if (v.args !== undefined && !Array.isArray(v.args)) throw bad(i + 1, 'args must be an array')
    } else if (v.in !== 'clock') throw bad(i + 1, `unknown input kind ${JSON.stringify(v.in)}`)
    const prev = inputs.at(-1)
    const cur = v as unknown as InputRecord
    if (prev && (cur.boot < prev.boot || (cur.boot === prev.boot && cur.step < prev.step)))
      throw bad(i + 1, 'inputs must be in the order they were applied (boot, step)')
    inputs.push(cur)
  }
  if (!header) throw new OsError('RECORDING_INVALID', `${file} is empty (no header line)`)
  return {header, inputs, ...(end ? {end} : {})}
}
