import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {LinkError} from './errors.js'

/**
 * A pseudo-terminal pair: `startPtyPair` runs `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B` and
 * waits for both links. The simulator serves its serial link on one end (`sim start --serial`), a UART bridge
 * exposes an app's UART on one; tests join a client to the other. Needs `socat` on the PATH.
 */

export interface PtyPair {
  /** Symlink to one end (open it with serialport). */
  readonly a: string
  /** Symlink to the other end. */
  readonly b: string
  readonly process: ChildProcess
  /** Resolves when socat exits. */
  readonly exited: Promise<void>
  /** Kill socat (SIGTERM by default) and wait for it to exit; removes the temp dir if we made it. */
  stop(signal?: NodeJS.Signals): Promise<void>
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** Start a socat PTY pair with links `<dir>/<name>A` and `<dir>/<name>B` (dir: a fresh temp dir by default). */
export async function startPtyPair(opts: {dir?: string; name?: string; timeoutMs?: number} = {}): Promise<PtyPair> {
  const ownDir = opts.dir === undefined
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'sphere-pty-'))
  const a = join(dir, `${opts.name ?? 'tty'}A`)
  const b = join(dir, `${opts.name ?? 'tty'}B`)
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 4000) stderr += d.toString()
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // do not leave socat behind if this process exits without calling stop() (e.g. an uncaught error)
  const reap = (): void => void child.kill('SIGTERM')
  process.once('exit', reap)
  void exited.then(() => process.removeListener('exit', reap))
  let spawnError: Error | undefined
  child.once('error', (e) => (spawnError = e))
  const deadline = Date.now() + (opts.timeoutMs ?? 5000)
  // socat logs "starting data transfer loop" once both PTYs exist
  while (!(existsSync(a) && existsSync(b) && stderr.includes('starting data transfer loop'))) {
    if (spawnError || child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      if (ownDir) rmSync(dir, {recursive: true, force: true})
      throw new LinkError(
        'SERIAL_OPEN_FAILED',
        `socat did not create the PTY pair: ${spawnError?.message ?? (stderr.trim().split('\n').pop() || 'timeout')}`,
        {suggestions: ['Install socat: apt-get install -y socat']},
      )
    }
    await sleep(10)
  }
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    await exited
    if (ownDir) rmSync(dir, {recursive: true, force: true})
  }
  return {a, b, process: child, exited, stop}
}

