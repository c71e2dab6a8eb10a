/**
 * One shard of a fleet: the members whose index is `index` mod `count`, in this process, served over one Unix
 * socket multiplexed by device (src/protocol/fleet.ts: a `SPHERE-FLEET <target>` line, then HTTP). A member's
 * connection goes to that member's REST handler, the same one a simulator daemon serves, so every device
 * command works on a fleet member with the same route specs and JSON shapes; `control` is the shard's own API
 * (members, update, tag, advance, reset), which the fleet commands drive.
 *
 * `sphere fleet start` runs K shard processes (src/fleet/shard-main.ts); `sphere fleet shard` runs one in the
 * foreground (a Kubernetes Indexed Job's pod). Control requests are handled one at a time, in order.
 */
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import http, {type IncomingMessage, type ServerResponse} from 'node:http'
import net from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {TrustAnchors} from '../image/index.js'
import {checkWasmRoom} from '../util/wasm-address-space.js'
import {tagTransport} from '../os/rest/transport.js'
import {
  FLEET_CONTROL_TARGET,
  FLEET_PREAMBLE,
  FLEET_PREAMBLE_MAX,
  fleetDeviceId,
  SHARD_API,
  TAG_RE,
  type MembersResponse,
  type ShardInfo,
  type TagRequest,
  type UpdateRequest,
  type UpdateResult,
} from '../protocol/fleet.js'
import {writeFileAtomic} from '../util/atomic-file.js'
import {assignFaults, faultLabels, type FleetScenario} from './faults.js'
import {FleetMember} from './member.js'

export interface ShardOptions {
  fleet: string
  index: number
  count: number
  /** Devices in the whole fleet. */
  size: number
  seed: string
  trust: TrustAnchors
  cacheDir: string
  /** Persistent state (one directory per device under it); undefined: a scratch directory removed at stop. */
  stateDir?: string
  imagePackage?: Uint8Array
  world?: {text: string; baseDir: string}
  scenario?: FleetScenario
  /** Largest control request body (an image package in base64 plus a little). */
  maxBodyBytes?: number
}

/** The fleet indices a shard holds. */
export function shardIndices(index: number, count: number, size: number): number[] {
  const out: number[] = []
  for (let i = index; i < size; i += count) out.push(i)
  return out
}

const DEFAULT_MAX_BODY = 48 * 1024 * 1024

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export class Shard {
  readonly members = new Map<number, FleetMember>()
  private readonly byId = new Map<string, number>()
  private readonly root: string
  private readonly scratch: boolean
  private queue: Promise<unknown> = Promise.resolve()
  private server: net.Server | undefined
  private readonly http: http.Server
  private readonly route = new WeakMap<net.Socket, (req: IncomingMessage, res: ServerResponse) => void>()

  private constructor(readonly opts: ShardOptions) {
    this.scratch = opts.stateDir === undefined
    // in memory unless asked to persist: a tmpfs when there is one
    this.root = opts.stateDir ?? mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), `sphere-fleet-${opts.fleet}-`))
    mkdirSync(this.root, {recursive: true})
    this.http = http.createServer({requireHostHeader: false, keepAliveTimeout: 5000, headersTimeout: 20_000}, (req, res) => {
      const h = this.route.get(req.socket)
      if (h) h(req, res)
      else res.writeHead(404).end()
    })
  }

  get info(): ShardInfo {
    return {index: this.opts.index, count: this.opts.count, fleetSize: this.opts.size, seed: this.opts.seed}
  }

  /** Boot every member of this shard (in index order). */
  static async boot(opts: ShardOptions, onProgress?: (booted: number, total: number) => void): Promise<Shard> {
    const indices = shardIndices(opts.index, opts.count, opts.size)
    // refused before any member boots (not part way through): one line with the count, the room and the fixes
    checkWasmRoom(indices.length, {
      subject: `shard ${opts.index}/${opts.count} of fleet ${opts.fleet}: ${indices.length} devices`,
      otherFix: 'split the fleet into more shards (fleet start --shards, fleet shard --count)',
    })
    const s = new Shard(opts)
    const faults = opts.scenario?.faults ?? []
    const labels = faultLabels(faults)
    const sets = assignFaults(opts.seed, opts.size, faults)
    const tags = s.readTags()
    let n = 0
    for (const i of indices) {
      const m = await FleetMember.boot({
        fleet: opts.fleet,
        seed: opts.seed,
        index: i,
        deviceId: fleetDeviceId(opts.seed, i),
        stateDir: join(s.root, `d${i}`),
        cacheDir: opts.cacheDir,
        trust: opts.trust,
        ...(opts.imagePackage ? {imagePackage: opts.imagePackage} : {}),
        ...(opts.world ? {world: opts.world} : {}),
        faults: faults.flatMap((spec, k) => (sets[k]!.has(i) ? [{label: labels[k]!, spec}] : [])),
      })
      for (const t of tags[String(i)] ?? []) m.tags.add(t)
      s.members.set(i, m)
      s.byId.set(m.deviceId, i)
      onProgress?.(++n, indices.length)
    }
    return s
  }

  private tagsFile(): string {
    return join(this.root, `tags-${this.opts.index}-of-${this.opts.count}.json`)
  }

  private readTags(): Record<string, string[]> {
    try {
      return JSON.parse(readFileSync(this.tagsFile(), 'utf8')) as Record<string, string[]>
    } catch {
      return {}
    }
  }

  private saveTags(): void {
    if (this.scratch) return
    const out: Record<string, string[]> = {}
    for (const [i, m] of this.members) if (m.tags.size) out[String(i)] = [...m.tags].sort()
    writeFileAtomic(this.tagsFile(), JSON.stringify(out))
  }

  /** The member a connection's target names: a fleet index or a device ID. */
  member(target: string): FleetMember | undefined {
    if (/^\d{1,9}$/.test(target)) return this.members.get(Number(target))
    const i = this.byId.get(target.toLowerCase())
    return i === undefined ? undefined : this.members.get(i)
  }

  /** Serve the shard on a Unix socket (mode 0600; a stale socket file is replaced). */
  async listen(socketPath: string): Promise<void> {
    rmSync(socketPath, {force: true})
    const server = net.createServer((sock) => this.accept(sock))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(socketPath, () => resolve())
    })
    chmodSync(socketPath, 0o600)
    this.server = server
  }

  /** Read the one-line preamble, then hand the connection to the member's (or the control) HTTP handler. */
  private accept(sock: net.Socket): void {
    let buf = Buffer.alloc(0)
    const timer = setTimeout(() => sock.destroy(), 10_000)
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk])
      const nl = buf.indexOf(0x0a)
      if (nl < 0) {
        if (buf.length > FLEET_PREAMBLE_MAX) sock.destroy()
        return
      }
      clearTimeout(timer)
      sock.off('data', onData)
      sock.pause()
      const line = buf.subarray(0, nl).toString('latin1').replace(/\r$/, '')
      const rest = buf.subarray(nl + 1)
      const m = new RegExp(`^${FLEET_PREAMBLE} (\\S{1,128})$`).exec(line)
      const target = m?.[1]
      let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined
      if (target === FLEET_CONTROL_TARGET) handler = (req, res) => this.control(req, res)
      else if (target !== undefined) handler = this.member(target)?.handler
      if (!handler) {
        const what = target === undefined ? 'the connection did not start with a fleet preamble' : `no member ${target} in this shard`
        const body = JSON.stringify({error: 'notFound', message: `${what} (fleet ${this.opts.fleet}, shard ${this.opts.index}/${this.opts.count})`})
        sock.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
        return
      }
      tagTransport(sock, 'unix')
      this.route.set(sock, handler)
      if (rest.length) sock.unshift(rest)
      this.http.emit('connection', sock)
      sock.resume()
    }
    sock.on('data', onData)
    sock.on('error', () => sock.destroy())
  }

  /** Run control operations one at a time. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn)
    this.queue = p.catch(() => undefined)
    return p
  }

  private control(req: IncomingMessage, res: ServerResponse): void {
    const send = (status: number, body: unknown): void => {
      const text = JSON.stringify(body)
      res.writeHead(status, {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text)})
      res.end(text)
    }
    this.readBody(req)
      .then(async (body) => {
        const path = (req.url ?? '').split('?')[0] ?? ''
        if (req.method === 'GET' && path === SHARD_API.members) return send(200, this.membersResponse())
        if (req.method === 'GET' && path.startsWith(SHARD_API.member)) {
          const m = this.member(decodeURIComponent(path.slice(SHARD_API.member.length)))
          if (!m) throw new HttpError(404, 'no such member in this shard')
          return send(200, m.summary())
        }
        if (req.method !== 'POST') throw new HttpError(404, `no control route ${req.method} ${path}`)
        switch (path) {
          case SHARD_API.update:
            return send(200, await this.serial(() => this.update(body as UpdateRequest)))
          case SHARD_API.tag:
            return send(200, await this.serial(async () => this.tag(body as TagRequest)))
          case SHARD_API.advance:
            return send(200, await this.serial(() => this.advance(body as {ms?: unknown})))
          case SHARD_API.reset:
            return send(200, await this.serial(() => this.reset()))
          default:
            throw new HttpError(404, `no control route POST ${path}`)
        }
      })
      .catch((e: unknown) => {
        const status = e instanceof HttpError ? e.status : 500
        if (!res.headersSent) send(status, {error: status === 404 ? 'notFound' : status === 400 ? 'invalidRequest' : 'internal', message: (e as Error).message})
      })
  }

  private readBody(req: IncomingMessage): Promise<unknown> {
    const max = this.opts.maxBodyBytes ?? DEFAULT_MAX_BODY
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      let n = 0
      req.on('data', (c: Buffer) => {
        n += c.length
        if (n > max) {
          reject(new HttpError(413, `the control request is larger than ${max} bytes`))
          req.destroy()
          return
        }
        chunks.push(c)
      })
      req.on('error', reject)
      req.on('end', () => {
        if (n === 0) return resolve({})
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
        } catch {
          reject(new HttpError(400, 'the control request body is not JSON'))
        }
      })
    })
  }

  membersResponse(): MembersResponse {
    return {shard: this.info, members: [...this.members.values()].map((m) => m.summary())}
  }

  /** The members a request names; each must be in this shard. */
  private pick(devices: unknown): FleetMember[] {
    if (!Array.isArray(devices)) throw new HttpError(400, 'devices must be a list of fleet indices')
    // each member once: a list naming one member a million times would keep the shard on it
    if (new Set(devices).size !== devices.length) throw new HttpError(400, 'devices must name each member once')
    return devices.map((d) => {
      const m = typeof d === 'number' && Number.isInteger(d) ? this.members.get(d) : undefined
      if (!m) throw new HttpError(400, `device ${JSON.stringify(d)} is not in shard ${this.opts.index}/${this.opts.count}`)
      return m
    })
  }

  private async update(r: UpdateRequest): Promise<UpdateResult[]> {
    const members = this.pick(r.devices)
    if (typeof r.package !== 'string') throw new HttpError(400, 'package must be the image package in base64')
    const soak = Number(r.soakMs)
    if (!Number.isFinite(soak) || soak < 0 || soak > 7 * 86_400_000) throw new HttpError(400, 'soakMs must be 0..7 days in ms')
    const pkg = new Uint8Array(Buffer.from(r.package, 'base64'))
    const rollout = typeof r.rollout === 'string' ? r.rollout.slice(0, 128) : ''
    const out: UpdateResult[] = []
    for (const m of members) out.push(await m.update(pkg, soak, rollout))
    return out
  }

  private tag(r: TagRequest): {changed: number} {
    const members = this.pick(r.devices)
    if (typeof r.tag !== 'string' || !TAG_RE.test(r.tag)) throw new HttpError(400, `invalid tag ${JSON.stringify(r.tag)}`)
    let changed = 0
    for (const m of members) {
      const had = m.tags.has(r.tag)
      if (r.remove) m.tags.delete(r.tag)
      else m.tags.add(r.tag)
      if (had !== m.tags.has(r.tag)) changed++
    }
    this.saveTags()
    return {changed}
  }

  private async advance(r: {ms?: unknown}): Promise<{virtualTimeMs: number}> {
    const ms = Number(r.ms)
    if (!Number.isFinite(ms) || ms < 0 || ms > 86_400_000) throw new HttpError(400, 'ms must be 0..1 day')
    for (const m of this.members.values()) await m.advance(ms)
    const first = this.members.values().next().value
    return {virtualTimeMs: first ? first.device.kernel.now() / 1e6 : 0}
  }

  private async reset(): Promise<{devices: number}> {
    for (const [i, m] of [...this.members]) this.members.set(i, await m.reset())
    return {devices: this.members.size}
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()))
    this.http.closeAllConnections()
    for (const m of this.members.values()) await m.close()
    if (this.scratch) rmSync(this.root, {recursive: true, force: true})
  }
}
