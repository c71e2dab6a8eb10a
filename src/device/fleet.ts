/**
 * Host side of a fleet (src/fleet): where a running fleet records itself (`<home>/fleets/<name>/fleet.json`:
 * its shard processes and their sockets), and the connection to one member, `--device fleet:NAME/17` or
 * `fleet:NAME/<device ID>`: a connection to the shard's socket that starts with the fleet preamble
 * (src/protocol/fleet.ts), after which it is the member's device REST API, as a simulator's socket is.
 */
import {createHash} from 'node:crypto'
import {closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {NO_TRAP_HANDLER_FLAG, noTrapHandlerFlagSupported, trapHandlerRoom} from '../util/wasm-address-space.js'
import {
  FLEET_CONTROL_TARGET,
  FLEET_NAME_RE,
  FLEET_PREAMBLE,
  shardOf,
  shardSize,
  SHARD_API,
  type MembersResponse,
  type MemberSummary,
  type TagRequest,
  type UpdateRequest,
  type UpdateResult,
} from '../protocol/fleet.js'
import {SphereError} from '../util/errors.js'
import {DeviceClient} from './client.js'
import {deviceRequest, type Connector} from './http.js'
import {isPidAlive} from './sims.js'
import {FLEET_SPEC_RE} from './spec.js'

/** What `sphere fleet start` writes once every shard serves. */
export interface FleetRecord {
  name: string
  devices: number
  seed: string
  shards: {index: number; pid: number; socketPath: string}[]
  startedAt: string
  imagePackage?: string
  world?: string
  scenario?: string
  stateDir?: string
  bootMs?: number
}

export function assertFleetName(name: string): void {
  if (!FLEET_NAME_RE.test(name))
    throw new SphereError('FLEET_BAD_NAME', `Invalid fleet name '${name}': use letters, digits, '.', '_' or '-' (max 63).`, {exit: 2})
}

export function fleetsDir(home: string): string {
  return join(home, 'fleets')
}

export function fleetDir(home: string, name: string): string {
  assertFleetName(name)
  return join(fleetsDir(home), name)
}

/** A shard's socket; a short path in tmpdir when the natural one is too long for sun_path. */
export function shardSocketPath(home: string, name: string, index: number): string {
  const p = join(fleetDir(home, name), `shard-${index}.sock`)
  if (Buffer.byteLength(p) < 100) return p
  return join(tmpdir(), `sphere-fleet-${createHash('sha256').update(p).digest('hex').slice(0, 16)}.sock`)
}

/** Where `fleet deploy` keeps the state of the fleet's last rollout (read by `fleet monitor`). */
export function rolloutFile(home: string, name: string): string {
  return join(fleetDir(home, name), 'rollout.json')
}

export function readFleetRecord(home: string, name: string): FleetRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(join(fleetDir(home, name), 'fleet.json'), 'utf8')) as FleetRecord
    return Array.isArray(r.shards) && typeof r.devices === 'number' ? r : undefined
  } catch {
    return undefined
  }
}

/** A fleet whose every shard process is alive. */
export function liveFleet(home: string, name: string): FleetRecord | undefined {
  const r = readFleetRecord(home, name)
  return r && r.shards.length > 0 && r.shards.every((s) => isPidAlive(s.pid)) ? r : undefined
}

/** A running fleet, or FLEET_NOT_RUNNING naming it. */
export function requireFleet(home: string, name: string): FleetRecord {
  const r = liveFleet(home, name)
  if (!r)
    throw new SphereError('FLEET_NOT_RUNNING', `Fleet '${name}' is not running.`, {
      suggestions: [`Start it with \`sphere fleet start --name ${name} --devices N\`, or list fleets with \`sphere fleet list\`.`],
    })
  return r
}

/** A connection to one target (a member or `control`) of one shard. */
export function shardConnector(fleet: string, socketPath: string, target: string): Connector {
  return {
    kind: 'stream',
    describe: target === FLEET_CONTROL_TARGET ? `fleet ${fleet} (${socketPath})` : `fleet member ${fleet}/${target}`,
    createConnection: () => {
      const s = connect(socketPath)
      s.write(`${FLEET_PREAMBLE} ${target}\n`)
      return s
    },
  }
}

/** The control API of every shard of a fleet, in shard order. */
export function controlConnectors(rec: FleetRecord): Connector[] {
  return [...rec.shards].sort((a, b) => a.index - b.index).map((s) => shardConnector(rec.name, s.socketPath, FLEET_CONTROL_TARGET))
}


/** `fleet:NAME/N` or `fleet:NAME/<device ID>`; undefined for anything else. */
export function parseFleetTarget(value: string): {fleet: string; member: string} | undefined {
  const m = FLEET_SPEC_RE.exec(value.trim())
  if (!m) return undefined
  return {fleet: m[1]!, member: m[2]!.toLowerCase()}
}

/** A DeviceClient for one fleet member. */
export async function fleetMemberClient(home: string, fleet: string, member: string): Promise<DeviceClient> {
  const rec = requireFleet(home, fleet)
  const label = `fleet member ${fleet}/${member.length > 16 ? member.slice(0, 16) + '…' : member}`
  if (/^\d+$/.test(member)) {
    const i = Number(member)
    if (i >= rec.devices)
      throw new SphereError('DEVICE_NOT_FOUND', `Fleet '${fleet}' has ${rec.devices} devices (0..${rec.devices - 1}): there is no device ${i}.`, {exit: 2})
    const shard = rec.shards.find((s) => s.index === shardOf(i, rec.shards.length))!
    return new DeviceClient(shardConnector(fleet, shard.socketPath, member), label)
  }
  // a device ID: ask each shard whether it holds it
  for (const s of rec.shards) {
    const res = await deviceRequest(shardConnector(fleet, s.socketPath, FLEET_CONTROL_TARGET), 'GET', `${SHARD_API.member}${member}`)
    if (res.status === 200) {
      const m = JSON.parse(res.body.toString('utf8')) as MemberSummary
      return new DeviceClient(shardConnector(fleet, s.socketPath, String(m.index)), label)
    }
  }
  throw new SphereError('DEVICE_NOT_FOUND', `Fleet '${fleet}' has no device with ID ${member.slice(0, 16)}…`, {
    suggestions: [`List its devices with \`sphere fleet status --name ${fleet} --devices\`.`],
  })
}

/** One control call to a shard; the shard's JSON answer, or a SphereError with its message. */
export async function controlCall<T>(conn: Connector, method: 'GET' | 'POST', path: string, body?: object, timeoutMs = 600_000): Promise<T> {
  const res = await deviceRequest(conn, method, path, {...(body ? {body} : {}), timeoutMs})
  let j: unknown
  try {
    j = JSON.parse(res.body.toString('utf8'))
  } catch {
    throw new SphereError('FLEET_BAD_RESPONSE', `The fleet shard sent a response that is not JSON for ${method} ${path}.`)
  }
  if (res.status !== 200) {
    const msg = (j as {message?: unknown}).message
    throw new SphereError('FLEET_SHARD_ERROR', `The fleet shard refused ${method} ${path}: ${typeof msg === 'string' ? msg : `HTTP ${res.status}`}`)
  }
  return j as T
}

/** Path of the shard process entry point, beside the built sources. */
export function shardEntry(): string {
  return fileURLToPath(new URL('../fleet/shard-main.js', import.meta.url))
}

export interface FleetStartOptions {
  devices: number
  shards: number
  seed: string
  imagePackage?: string
  world?: string
  scenario?: string
  stateDir?: string
  timeoutMs?: number
  onShardReady?: (ready: number, total: number) => void
}

interface ReadyRecord {
  pid: number
  index: number
  socketPath: string
  devices: number
  bootMs: number
}

/**
 * The node flags of a shard process that holds `devices` members. Node's defaults while its apps fit the
 * address space the trap handler leaves (`room` WebAssembly memories, one per device); past it the shard runs
 * with --disable-wasm-trap-handler (bounds checks, a few percent of CPU: docs/fleet-scale.md), since the shard
 * would otherwise be refused. On a node without that flag, refused up front (FLEET_ADDRESS_SPACE) with the
 * shard count that fits.
 */
export function shardNodeFlags(
  fleet: {name: string; devices: number; shards: number},
  index: number,
  room = trapHandlerRoom(),
  flagSupported = noTrapHandlerFlagSupported(),
): string[] {
  const n = shardSize(index, fleet.shards, fleet.devices)
  if (n <= room) return []
  if (flagSupported) return [NO_TRAP_HANDLER_FLAG]
  throw new SphereError(
    'FLEET_ADDRESS_SPACE',
    `Fleet '${fleet.name}': shard ${index} would hold ${n} devices but a node process has address space for ${room} WebAssembly memories, and node ${process.version} has no ${NO_TRAP_HANDLER_FLAG}.`,
    {exit: 2, suggestions: [`Use more shards: --shards ${Math.ceil(fleet.devices / Math.max(1, room))} or more.`, 'Or use node >= 20.15 / 22.2.']},
  )
}

/**
 * Start a fleet: K shard processes (detached), each booting its members and serving its socket; the record
 * is written once every shard serves. A shard that ends before it serves fails the start with its last log line,
 * and the others are stopped (nothing half-started is left behind).
 */
export async function startFleet(home: string, name: string, o: FleetStartOptions): Promise<FleetRecord> {
  const dir = fleetDir(home, name)
  if (liveFleet(home, name)) throw new SphereError('FLEET_RUNNING', `Fleet '${name}' is already running.`, {suggestions: [`Stop it first: \`sphere fleet stop --name ${name}\`.`]})
  // node flags per shard, decided (or refused) before any shard starts
  const nodeFlags = Array.from({length: o.shards}, (_, i) => shardNodeFlags({name, devices: o.devices, shards: o.shards}, i))
  // a fleet whose shards died: clear what they left
  const stale = readFleetRecord(home, name)
  if (stale) await stopFleet(home, name)
  mkdirSync(dir, {recursive: true})
  const {spawn} = await import('node:child_process')
  const children: {index: number; pid: number; exited: boolean; ready: string; log: string}[] = []
  const t0 = Date.now()
  for (let i = 0; i < o.shards; i++) {
    const socket = shardSocketPath(home, name, i)
    const ready = join(dir, `shard-${i}.ready.json`)
    const log = join(dir, `shard-${i}.log`)
    rmSync(ready, {force: true})
    const args = [...nodeFlags[i]!, shardEntry(), '--home', home, '--fleet', name, '--index', String(i), '--count', String(o.shards), '--devices', String(o.devices)]
    args.push('--seed', o.seed, '--socket', socket, '--ready', ready)
    if (o.imagePackage) args.push('--image-package', o.imagePackage)
    if (o.world) args.push('--world', o.world)
    if (o.scenario) args.push('--scenario', o.scenario)
    if (o.stateDir) args.push('--state-dir', o.stateDir)
    const fd = openSync(log, 'w')
    const child = spawn(process.execPath, args, {detached: true, stdio: ['ignore', fd, fd], env: {...process.env, NODE_OPTIONS: ''}})
    closeSync(fd)
    child.unref()
    const rec = {index: i, pid: child.pid ?? -1, exited: false, ready, log}
    child.once('exit', () => (rec.exited = true))
    children.push(rec)
  }
  const deadline = Date.now() + (o.timeoutMs ?? 30 * 60_000)
  const readies: ReadyRecord[] = []
  const kill = (): void => {
    for (const c of children)
      try {
        process.kill(c.pid, 'SIGTERM')
      } catch {
        // gone
      }
  }
  while (readies.length < children.length) {
    readies.length = 0
    for (const c of children) {
      try {
        readies.push(JSON.parse(readFileSync(c.ready, 'utf8')) as ReadyRecord)
        continue
      } catch {
        // not yet
      }
      if (c.exited || !isPidAlive(c.pid)) {
        kill()
        const last = (existsSync(c.log) ? readFileSync(c.log, 'utf8') : '').trim().split('\n').at(-1) ?? ''
        const fatal = /fatal: (?:[A-Z_]+: )?(.*)$/.exec(last)
        throw new SphereError('FLEET_START_FAILED', `Fleet '${name}' did not start: shard ${c.index}: ${fatal ? fatal[1] : last || 'ended before it served'}`, {
          suggestions: [`See ${c.log}`],
        })
      }
    }
    o.onShardReady?.(readies.length, children.length)
    if (readies.length === children.length) break
    if (Date.now() > deadline) {
      kill()
      throw new SphereError('FLEET_START_TIMEOUT', `Fleet '${name}' did not come up in time.`, {suggestions: [`See ${join(dir, 'shard-0.log')}`]})
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  const rec: FleetRecord = {
    name,
    devices: o.devices,
    seed: o.seed,
    shards: readies.sort((a, b) => a.index - b.index).map((r) => ({index: r.index, pid: r.pid, socketPath: r.socketPath})),
    startedAt: new Date().toISOString(),
    ...(o.imagePackage ? {imagePackage: o.imagePackage} : {}),
    ...(o.world ? {world: o.world} : {}),
    ...(o.scenario ? {scenario: o.scenario} : {}),
    ...(o.stateDir ? {stateDir: o.stateDir} : {}),
    bootMs: Date.now() - t0,
  }
  writeFileSync(join(dir, 'fleet.json'), JSON.stringify(rec, null, 2) + '\n')
  return rec
}

/** Stop every shard of a fleet (SIGTERM, then SIGKILL) and remove its record. Whether one was running. */
export async function stopFleet(home: string, name: string, timeoutMs = 20_000): Promise<boolean> {
  const rec = readFleetRecord(home, name)
  if (!rec) return false
  const alive = rec.shards.filter((s) => isPidAlive(s.pid))
  for (const s of alive)
    try {
      process.kill(s.pid, 'SIGTERM')
    } catch {
      // raced with its exit
    }
  const deadline = Date.now() + timeoutMs
  while (alive.some((s) => isPidAlive(s.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
  for (const s of alive)
    if (isPidAlive(s.pid))
      try {
        process.kill(s.pid, 'SIGKILL')
      } catch {
        // gone
      }
  for (const s of rec.shards) rmSync(s.socketPath, {force: true})
  rmSync(join(fleetDir(home, name), 'fleet.json'), {force: true})
  return alive.length > 0
}

/** Names of fleets with a record (running or not). */
export function listFleetNames(home: string): string[] {
  try {
    return readdirSync(fleetsDir(home), {withFileTypes: true})
      .filter((d) => d.isDirectory() && FLEET_NAME_RE.test(d.name) && existsSync(join(fleetsDir(home), d.name, 'fleet.json')))
      .map((d) => d.name)
      .sort()
  } catch {
    return []
  }
}

/** The control API of one shard, typed (what the fleet commands and the rollout call). */
export class ShardControl {
  constructor(
    readonly index: number,
    readonly conn: Connector,
  ) {}

  members(): Promise<MembersResponse> {
    return controlCall<MembersResponse>(this.conn, 'GET', SHARD_API.members)
  }

  update(req: UpdateRequest): Promise<UpdateResult[]> {
    return controlCall<UpdateResult[]>(this.conn, 'POST', SHARD_API.update, req)
  }

  tag(req: TagRequest): Promise<{changed: number}> {
    return controlCall<{changed: number}>(this.conn, 'POST', SHARD_API.tag, req)
  }

  advance(ms: number): Promise<{virtualTimeMs: number}> {
    return controlCall<{virtualTimeMs: number}>(this.conn, 'POST', SHARD_API.advance, {ms})
  }

  reset(): Promise<{devices: number}> {
    return controlCall<{devices: number}>(this.conn, 'POST', SHARD_API.reset, {})
  }
}

/** The shards of a running fleet, in shard order. */
export function fleetShards(rec: FleetRecord): ShardControl[] {
  return controlConnectors(rec).map((c, i) => new ShardControl(i, c))
}

/** Every member of a running fleet, by index. */
export async function fleetMembers(rec: FleetRecord): Promise<MemberSummary[]> {
  const lists = await Promise.all(fleetShards(rec).map((s) => s.members()))
  return lists.flatMap((l) => l.members).sort((a, b) => a.index - b.index)
}
