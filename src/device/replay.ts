/** `sphere replay`: runs the replay process (src/os/replay/main.ts) and returns its report. */
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {SphereError} from '../util/errors.js'

export interface ReplayReport {
  recording: string
  clock: string
  inputs: number
  boots: number
  virtualTimeMs: number | null
  steps: number | null
  traceEntries: number
  trace: string | null
  expected: string | null
  match: boolean | null
  difference: string | null
  crashes: {app: string; boot: number; virtualTimeMs: number; reason: string | null}[]
  wallMs: number
}

export function replayEntry(): string {
  return fileURLToPath(new URL('../os/replay/main.js', import.meta.url))
}

export async function runReplay(
  home: string,
  recording: string,
  opts: {trace?: string; expect?: string; compare?: boolean} = {},
): Promise<{report: ReplayReport; exitCode: number}> {
  const args = [replayEntry(), '--recording', recording, '--home', home]
  if (opts.trace) args.push('--trace', opts.trace)
  if (opts.expect) args.push('--expect', opts.expect)
  if (opts.compare === false) args.push('--no-compare')
  const child = spawn(process.execPath, args, {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NODE_OPTIONS: ''}})
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')))
  child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')))
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)))
  const line = out.trim().split('\n').at(-1)
  if (!line) {
    const msg = err.trim().split('\n')[0] ?? `the replay process exited with ${code}`
    const m = /^([A-Z_]+): (.*)$/.exec(msg)
    throw new SphereError(m ? m[1]! : 'REPLAY_FAILED', m ? m[2]! : msg, {exit: code === 2 ? 1 : 1})
  }
  return {report: JSON.parse(line) as ReplayReport, exitCode: code}
}
