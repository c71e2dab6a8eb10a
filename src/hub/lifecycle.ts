/**
 * The hub service's lifecycle, like a simulator daemon's: started detached (`node dist/hub/main.js --home H`),
 * found through `$SPHERE_HOME/hub/hub.json` (pid, endpoint, control socket), concurrent starters serialised by
 * an exclusive lock file, a stale record or lock of a killed service detected by its dead pid.
 */
import type {ChildProcess} from 'node:child_process'
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {SphereError} from '../util/errors.js'
import {isPidAlive, stopPid} from '../util/pid.js'
import {HUB_ROUTES} from './api.js'
import {HubClient} from './client.js'
import {hubDir, hubInfoFile, hubLockFile, hubLogFile, hubSocketPath} from './paths.js'
import type {HubEndpoint, HubStatus} from './types.js'

/** What a running hub records about itself (hub/hub.json). */
export interface HubInfo {
  pid: number
  startedAt: string
  socketPath: string
  endpoint: HubEndpoint
}

export interface HubStartOptions {
  /** MQTT/TLS port; 0 = a free port on the first start. The port is kept for later starts. */
  port?: number
  /** The IoT hub host name (default sphere-hub.azure-devices.net); kept for later starts. */
  hostName?: string
  timeoutMs?: number
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export function readHubInfo(home: string): HubInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(hubInfoFile(home), 'utf8')) as HubInfo
    if (typeof info.pid !== 'number' || typeof info.socketPath !== 'string' || typeof info.endpoint?.port !== 'number')
      return undefined
    return info
  } catch {
    return undefined
  }
}

/** The running hub's record, or undefined when none runs (a record left by a killed service is ignored). */
export function liveHub(home: string): HubInfo | undefined {
  const info = readHubInfo(home)
  return info && isPidAlive(info.pid) ? info : undefined
}

/** The endpoint of the running hub (no start), or undefined. */
export function hubEndpoint(home: string): HubEndpoint | undefined {
  return liveHub(home)?.endpoint
}

async function answers(info: HubInfo): Promise<HubStatus | undefined> {
  try {
    return await new HubClient(info.socketPath).call(HUB_ROUTES.status, {}, undefined, {timeoutMs: 2000})
  } catch {
    return undefined
  }
}

/** The service's entry point: beside this module when built; from the TypeScript sources, the built copy in dist/. */
export function hubEntry(): string {
  const own = fileURLToPath(new URL('./main.js', import.meta.url))
  if (existsSync(own)) return own
  return own.replace(/([/\\])src([/\\])hub([/\\])main\.js$/, '$1dist$2hub$3main.js')
}

async function spawnHub(home: string, opts: HubStartOptions): Promise<ChildProcess> {
  const {spawn} = await import('node:child_process')
  const logFd = openSync(hubLogFile(home), 'a')
  const args = [hubEntry(), '--home', home]
  if (opts.port !== undefined) args.push('--port', String(opts.port))
  if (opts.hostName) args.push('--host-name', opts.hostName)
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: {...process.env, NODE_OPTIONS: ''},
  })
  child.unref()
  closeSync(logFd)
  return child
}

/**
 * Start the hub unless it runs, and wait until its control channel answers. Returns its endpoint and whether
 * this call started it. This is the auto-start helper: call it when an app needs the hub.
 */
export async function ensureHub(home: string, opts: HubStartOptions = {}): Promise<{info: HubInfo; started: boolean}> {
  mkdirSync(hubDir(home), {recursive: true})
  const lock = hubLockFile(home)
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000)
  for (;;) {
    const live = liveHub(home)
    if (live && (await answers(live))) return {info: live, started: false}
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
        const again = liveHub(home)
        if (again && (await answers(again))) return {info: again, started: false}
        if (again) {
          await sleep(300)
          const still = liveHub(home)
          if (still && (await answers(still))) return {info: still, started: false}
          if (still) {
            try {
              process.kill(still.pid, 'SIGKILL')
            } catch {
              // gone
            }
          }
        }
        rmSync(hubInfoFile(home), {force: true})
        rmSync(hubSocketPath(home), {force: true})
        const child = await spawnHub(home, opts)
        let exited = false
        child.once('exit', () => (exited = true))
        while (Date.now() < deadline && !exited) {
          const info = liveHub(home)
          if (info && (await answers(info))) return {info, started: true}
          await sleep(40)
        }
        const log = existsSync(hubLogFile(home)) ? readFileSync(hubLogFile(home), 'utf8').trim().split('\n') : []
        const fatal = /fatal: (.*)$/.exec(log.at(-1) ?? '')
        throw new SphereError(
          'HUB_START_FAILED',
          fatal ? `The local hub did not start: ${fatal[1]}` : 'The local hub did not come up in time.',
          {suggestions: [`See ${hubLogFile(home)}`]},
        )
      } finally {
        rmSync(lock, {force: true})
      }
    }
    try {
      const owner = Number(readFileSync(lock, 'utf8'))
      if (owner && !isPidAlive(owner)) rmSync(lock, {force: true})
    } catch {
      // the lock went away: try again
    }
    if (Date.now() > deadline)
      throw new SphereError('HUB_START_TIMEOUT', 'Timed out waiting for the local hub to start.')
    await sleep(40)
  }
}

/** Stop the hub (SIGTERM, then SIGKILL after timeoutMs); its state stays. Returns whether one was running. */
export async function stopHub(home: string, timeoutMs = 5000): Promise<boolean> {
  const info = liveHub(home)
  if (!info) {
    rmSync(hubInfoFile(home), {force: true})
    return false
  }
  await stopPid(info.pid, timeoutMs)
  rmSync(hubInfoFile(home), {force: true})
  rmSync(info.socketPath, {force: true})
  return true
}

/** A client for the running hub's control channel; HUB_NOT_RUNNING when none runs. */
export function hubClient(home: string): HubClient {
  const info = liveHub(home)
  if (!info)
    throw new SphereError('HUB_NOT_RUNNING', 'The local hub is not running.', {
      suggestions: ['sphere hub start'],
    })
  return new HubClient(info.socketPath)
}
