/**
 * The replay process (`sphere replay FILE`, started by src/device/replay.ts):
 *   node dist/os/replay/main.js --recording FILE --home H [--trace OUT] [--expect TRACE | --no-compare]
 * Boots a fresh device from the recording, applies its inputs at their scheduling points, writes the trace
 * and compares it with the expected one (default: FILE.trace, the trace the recording run wrote). Prints one
 * JSON result on stdout. Exit 0: replayed (and the traces match); 1: the traces differ or the replay left
 * the recorded path; 2: the recording cannot be read.
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {parseArgs} from 'node:util'
import {loadTrustStore} from '../../image/index.js'
import {NS_PER_MS} from '../kernel/clock.js'
import {fileSink, memorySink} from './recorder.js'
import {parseRecording} from './recording.js'
import {replay} from './replayer.js'
import {describeDifference, firstDifference, parseTrace, type TraceEntry} from './trace.js'

async function main(): Promise<number> {
  const {values} = parseArgs({
    options: {
      recording: {type: 'string'},
      home: {type: 'string'},
      trace: {type: 'string'},
      expect: {type: 'string'},
      'no-compare': {type: 'boolean', default: false},
    },
  })
  if (!values.recording || !values.home) throw Object.assign(new Error('--recording and --home are required'), {code: 'USAGE'})
  const file = values.recording
  if (!existsSync(file)) throw Object.assign(new Error(`no recording at ${file}`), {code: 'RECORDING_NOT_FOUND'})
  const rec = parseRecording(readFileSync(file, 'utf8'), file)
  const expectFile = values['no-compare'] ? undefined : (values.expect ?? (existsSync(`${file}.trace`) ? `${file}.trace` : undefined))
  let expected: TraceEntry[] | undefined
  if (expectFile) {
    if (!existsSync(expectFile)) throw Object.assign(new Error(`no trace at ${expectFile}`), {code: 'TRACE_NOT_FOUND'})
    try {
      expected = parseTrace(readFileSync(expectFile, 'utf8'))
    } catch (e) {
      throw Object.assign(new Error(`${expectFile}: ${(e as Error).message}`), {code: 'TRACE_INVALID'})
    }
  }
  const mem = memorySink()
  const out = values.trace ? fileSink(values.trace) : undefined
  const sink = {
    write: (l: string) => {
      mem.write(l)
      out?.write(l)
    },
    close: () => out?.close(),
  }
  let result
  let diverged: string | undefined
  try {
    result = await replay(rec, {trust: loadTrustStore(values.home), cacheDir: join(values.home, 'cache'), trace: sink})
  } catch (e) {
    if ((e as {code?: string}).code !== 'REPLAY_DIVERGED') throw e
    diverged = (e as Error).message
  }
  const actual = parseTrace(mem.lines.join('\n'))
  const diff = expected ? firstDifference(expected, actual) : undefined
  const crashes = actual
    .filter((e) => e.kind === 'process' && e.state === 'crashed')
    .map((e) => ({app: (e as {app: string}).app, boot: e.boot, virtualTimeMs: e.t / NS_PER_MS, reason: (e as {reason?: string}).reason ?? null}))
  const report = {
    recording: file,
    clock: rec.header.clock,
    inputs: rec.inputs.length,
    boots: (result?.boot ?? 0) + 1,
    virtualTimeMs: result ? result.t / NS_PER_MS : null,
    steps: result?.steps ?? null,
    traceEntries: actual.length,
    trace: values.trace ?? null,
    expected: expectFile ?? null,
    match: expected ? diff === undefined && diverged === undefined : null,
    difference: diverged ?? (diff ? describeDifference(diff) : null),
    crashes,
    wallMs: Math.round(result?.wallMs ?? 0),
  }
  process.stdout.write(`${JSON.stringify(report)}\n`)
  return diverged !== undefined || report.match === false ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    const code = (e as {code?: unknown}).code
    const known = typeof code === 'string' && /^[A-Z_]+$/.test(code)
    process.stderr.write(`${known ? `${code}: ` : ''}${known ? (e as Error).message : ((e as Error).stack ?? String(e))}\n`)
    process.exit(known ? 2 : 1)
  },
)
