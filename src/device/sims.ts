import type {ChildProcess} from 'node:child_process'
import {closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'
import {SphereError} from '../util/errors.js'
import {SIM_NAME_RE} from './sim-name.js'
import {isPidAlive, stopPid} from '../util/pid.js'

/** What a running simulator daemon records about itself (sims/<name>/daemon.json). */
export interface DaemonInfo {
  name: string
  pid: number
  socketPath: string
  startedAt: string
  serialPath?: string
  listen?: string
  serviceListen?: string
  deviceId?: string
  /** Started with --multi-app (several high-level apps side by side). */
  multiApp?: boolean
}

export {SIM_NAME_RE, isPidAlive}

export function assertSimName(name: string): void {
  if (!SIM_NAME_RE.test(name)) {
    throw new SphereError('SIM_BAD_NAME', `Invalid simulator name '${name}': use letters, digits, '.', '_' or '-' (max 63).`, {exit: 2})
  }
}

export function simsDir(home: string): string {
  return join(home, 'sims')
}

export function simDir(home: string, name: string): string {
  assertSimName(name)
  return join(simsDir(home), name)
}

/** Unix socket path for a simulator; falls back to a short path in tmpdir when too long for sun_path. */
export function simSocketPath(home: string, name: string): string {
  const p = join(simDir(home, name), 'api.sock')
  if (Buffer.byteLength(p) < 100) return p
  // node:crypto on this rare path only: loading it costs every device command's start-up a few milliseconds
  const {createHash} = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')
  const h = createHash('sha256').update(p).digest('hex').slice(0, 16)
  return join(tmpdir(), `sphere-${h}.sock`)
}

export function readDaemonInfo(home: string, name: string): DaemonInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(join(simDir(home, name), 'daemon.json'), 'utf8')) as DaemonInfo
    if (typeof info.pid !== 'number' || typeof info.socketPath !== 'string') return undefined
    return info
  } catch {
    return undefined
  }
}

/** Names of simulators that have a state dir (running or not). */
export function listSimNames(home: string): string[] {
  try {
    return readdirSync(simsDir(home), {withFileTypes: true})
      .filter((d) => d.isDirectory() && SIM_NAME_RE.test(d.name))
      .map((d) => d.name)
      .sort()
  } catch {
    return []
  }
}

/** A daemon whose pid is alive; stale records (killed daemons) are reported as undefined. */
export function liveDaemon(home: string, name: string): DaemonInfo | undefined {
  const info = readDaemonInfo(home, name)
  if (!info || !isPidAlive(info.pid)) return undefined
  return info
}

/** Path of the daemon entry point (the simulator process), resolved beside the built sources. */
export function daemonEntry(): string {
  return fileURLToPath(new URL('../os/daemon.js', import.meta.url))
}

export interface StartOptions {
  serial?: boolean
  /** Serve the device API on this existing serial device instead of (or besides) a new PTY pair. */
  serialPort?: string
  listen?: string
  serviceListen?: string
  world?: string
  /** Names the device does not know go to the host's resolver (the device reaches the real internet). */
  internet?: boolean
  clock?: 'realtime' | 'fast-forward'
  /** Record every input into this file (and the trace into FILE.trace). */
  record?: string
  /** Ours, not a real device's: several high-level apps side by side (the daemon's --multi-app). */
  multiApp?: boolean
  timeoutMs?: number
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms))
}

/**
 * Start a simulator daemon (detached) unless one is already running, and wait until its API answers.
 * Concurrent callers are serialised by an exclusive lock file; a stale lock or record from a killed
 * daemon is detected (dead pid) and replaced.
 */
export async function ensureDaemon(
  home: string,
  name: string,
  ping: (info: DaemonInfo) => Promise<boolean>,
  opts: StartOptions = {},
): Promise<{info: DaemonInfo; started: boolean}> {
  const dir = simDir(home, name)
  mkdirSync(dir, {recursive: true})
  const lock = join(dir, 'start.lock')
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000)
  let started = false
  for (;;) {
    const live = liveDaemon(home, name)
    if (live && (await ping(live))) return {info: live, started}
    let fd: number | undefined
    try {
      fd = openSync(lock, 'wx')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, String(process.pid))
        closeSync(fd)
        // Re-check under the lock: another process may have finished starting it.
        const again = liveDaemon(home, name)
        if (!(again && (await ping(again)))) {
          if (again) {
            // alive but not answering: give it a moment before replacing it
            await sleep(300)
          }
          const still = liveDaemon(home, name)
          if (!(still && (await ping(still)))) {
            if (still) {
              try {
                process.kill(still.pid, 'SIGKILL')
              } catch {
                // already gone
              }
            }
            rmSync(join(dir, 'daemon.json'), {force: true})
            rmSync(simSocketPath(home, name), {force: true})
            const child = await spawnDaemon(home, name, opts)
            let exited = false
            child.once('exit', () => (exited = true))
            started = true
            while (Date.now() < deadline && !exited) {
              const info = liveDaemon(home, name)
              if (info && (await ping(info))) return {info, started}
              await sleep(50)
            }
            const log = join(dir, 'daemon.log')
            const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' | ') : ''
            // the daemon ended before it served (a bad world file, a corrupt state): its fatal line says why
            const last = existsSync(log) ? (readFileSync(log, 'utf8').trim().split('\n').at(-1) ?? '') : ''
            const fatal = exited ? /fatal: (?:[A-Z_]+: )?(.*)$/.exec(last) : null
            if (fatal)
              throw new SphereError('SIM_START_FAILED', `Simulator '${name}' did not start: ${fatal[1]}`, {
                suggestions: [`See ${log}`],
              })
            throw new SphereError('SIM_START_FAILED', `Simulator '${name}' did not come up in time.${tail ? ' Log: ' + tail : ''}`, {
              suggestions: [`See ${log}`],
            })
          }
        }
      } finally {
        rmSync(lock, {force: true})
      }
      continue
    }
    // Someone else holds the lock: wait, and clear it if its owner died.
    try {
      const owner = Number(readFileSync(lock, 'utf8'))
      if (owner && !isPidAlive(owner)) rmSync(lock, {force: true})
    } catch {
      // lock vanished: loop
    }
    if (Date.now() > deadline) {
      throw new SphereError('SIM_START_TIMEOUT', `Timed out waiting for simulator '${name}' to start.`)
    }
    await sleep(50)
  }
}

async function spawnDaemon(home: string, name: string, opts: StartOptions): Promise<ChildProcess> {
  // loaded only to start a daemon: child_process is one of the slower built-ins, off every command's start path
  const {spawn} = await import('node:child_process')
  const dir = simDir(home, name)
  const logFd = openSync(join(dir, 'daemon.log'), 'a')
  const args = [daemonEntry(), '--home', home, '--name', name, '--socket', simSocketPath(home, name)]
  if (opts.serial) args.push('--serial')
  if (opts.serialPort) args.push('--serial-port', opts.serialPort)
  if (opts.listen) args.push('--listen', opts.listen)
  if (opts.serviceListen) args.push('--service-listen', opts.serviceListen)
  if (opts.world) args.push('--world', opts.world)
  if (opts.internet) args.push('--internet')
  if (opts.clock) args.push('--clock', opts.clock)
  if (opts.record) args.push('--record', opts.record)
  if (opts.multiApp) args.push('--multi-app')
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: {...process.env, NODE_OPTIONS: ''},
  })
  child.unref()
  closeSync(logFd)
  return child
}

/** Stop a daemon: SIGTERM, wait, then SIGKILL. Returns whether one was running. */
export async function stopDaemon(home: string, name: string, timeoutMs = 5000): Promise<boolean> {
  const info = liveDaemon(home, name)
  if (!info) {
    rmSync(join(simDir(home, name), 'daemon.json'), {force: true})
    return false
  }
  await stopPid(info.pid, timeoutMs)
  rmSync(join(simDir(home, name), 'daemon.json'), {force: true})
  rmSync(info.socketPath, {force: true})
  return true
}
