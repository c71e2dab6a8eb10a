import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {SphereError} from '../util/errors.js'

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
}

export const SIM_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/

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
  const h = createHash('sha256').update(p).digest('hex').slice(0, 16)
  return join(tmpdir(), `sphere-${h}.sock`)
}

export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
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
  clock?: 'realtime' | 'fast-forward'
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
            spawnDaemon(home, name, opts)
            started = true
            while (Date.now() < deadline) {
              const info = liveDaemon(home, name)
              if (info && (await ping(info))) return {info, started}
              await sleep(50)
            }
            const log = join(dir, 'daemon.log')
            const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' | ') : ''
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

function spawnDaemon(home: string, name: string, opts: StartOptions): void {
  const dir = simDir(home, name)
  const logFd = openSync(join(dir, 'daemon.log'), 'a')
  const args = [daemonEntry(), '--home', home, '--name', name, '--socket', simSocketPath(home, name)]
  if (opts.serial) args.push('--serial')
  if (opts.serialPort) args.push('--serial-port', opts.serialPort)
  if (opts.listen) args.push('--listen', opts.listen)
  if (opts.serviceListen) args.push('--service-listen', opts.serviceListen)
  if (opts.world) args.push('--world', opts.world)
  if (opts.clock) args.push('--clock', opts.clock)
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: {...process.env, NODE_OPTIONS: ''},
  })
  child.unref()
  closeSync(logFd)
}

/** Stop a daemon: SIGTERM, wait, then SIGKILL. Returns whether one was running. */
export async function stopDaemon(home: string, name: string, timeoutMs = 5000): Promise<boolean> {
  const info = liveDaemon(home, name)
  if (!info) {
    rmSync(join(simDir(home, name), 'daemon.json'), {force: true})
    return false
  }
  try {
    process.kill(info.pid, 'SIGTERM')
  } catch {
    // raced with its exit
  }
  const deadline = Date.now() + timeoutMs
  while (isPidAlive(info.pid) && Date.now() < deadline) await sleep(25)
  if (isPidAlive(info.pid)) {
    try {
      process.kill(info.pid, 'SIGKILL')
    } catch {
      // gone
    }
    while (isPidAlive(info.pid)) await sleep(10)
  }
  rmSync(join(simDir(home, name), 'daemon.json'), {force: true})
  rmSync(info.socketPath, {force: true})
  return true
}
