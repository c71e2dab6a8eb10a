import {createHmac} from 'node:crypto'
import tls from 'node:tls'
import {MqttClient, type IPublishPacket} from 'mqtt'
import {Errno} from '../kernel/errno.js'
import {KObject} from '../kernel/objects.js'
import {COST, type SysCtx} from './context.js'
import type {CloudState, IotHost} from './iot-host.js'
import {HOST_LIMITS, LimitAudit, NetErrno, chargeBytes, releaseBytes, socketOwner, type SocketOwner} from './sockets.js'
import {syscall, type Impl, type SyscallGroup} from './syscalls/types.js'

/**
 * The Azure IoT C SDK as an OS library (sdk/sysroot/include/azureiot, sdk/libapplibs/azureiot.c): the app keeps
 * its messages and callbacks; the client runs here, on the host side of the OS: MQTT 3.1.1 over TLS (npm `mqtt`)
 * with IoT Hub's topics (docs/hub.md), authenticated by the device's certificate (device ID = the Azure Sphere
 * device ID) or a connection string's shared access key, and DPS registration over MQTT. Every connection is an
 * app network access: the LSM decides `net.connect` to the host name and port 8883 against the manifest's
 * AllowedConnections before anything is opened (a denial is audited and the client reports NO_NETWORK, as a
 * name the firewall does not allow does not resolve on a device).
 *
 * The LL model: nothing runs in the app between its calls; `iot_next` hands over one event at a time and the C
 * library's DoWork runs the callbacks on the app's thread. Each client is an fd (a host-backed object counted
 * against the app's sockets; queued event bytes against its host buffers), closed with close().
 *
 * Queues: what the app hands over and the hub has not taken yet (telemetry bodies, reported-state documents)
 * is held on the host and charged to the app's host buffers (HOST_LIMITS.bufferBytesPerApp, with its sockets'
 * bytes); past them, or past MAX_QUEUED requests of a kind, a request is refused with ENOBUFS (an audited
 * `resource.limit`, once per episode), as the C SDK's SendEventAsync fails when its queue is full.
 *
 * Delivery: a telemetry message stays queued until the hub's PUBACK (then its confirmation is OK); a connection
 * that drops re-sends the unacknowledged ones after it reconnects (the hub accepts a message ID once).
 * Reconnection follows the retry policy (default: exponential back-off with jitter, 1 s doubling to 60 s).
 */

/** Client description tags and kinds, as azureiot.c writes them. */
const T = {kind: 1, host: 2, deviceId: 3, connectionString: 4, scopeId: 5} as const
const K = {hubDeviceAuth: 1, connectionString: 2, dps: 3} as const
/** iot_send operations. */
const OP = {event: 1, reported: 2, methodResponse: 3, option: 4, subscribe: 5, retry: 6, getTwin: 7, register: 8} as const
/** Message TLV tags. */
const M = {body: 1, contentType: 2, contentEncoding: 3, messageId: 4, correlationId: 5, property: 6, context: 7, kind: 8} as const
/** Events (u32 type, u32 length, payload). */
export const EV = {status: 1, confirm: 2, reported: 3, twin: 4, method: 5, c2d: 6, registered: 7, regStatus: 8} as const
const SUB = {c2d: 1, methods: 2, twin: 4} as const
const V = {int: 1, bool: 2, string: 3} as const

/** IOTHUB_CLIENT_CONNECTION_STATUS and _REASON (iothub_client_core_common.h order). */
export const STATUS = {authenticated: 0, unauthenticated: 1} as const
export const REASON = {
  EXPIRED_SAS_TOKEN: 0,
  DEVICE_DISABLED: 1,
  BAD_CREDENTIAL: 2,
  RETRY_EXPIRED: 3,
  NO_NETWORK: 4,
  COMMUNICATION_ERROR: 5,
  OK: 6,
  NO_PING_RESPONSE: 7,
} as const
type Reason = keyof typeof REASON
/** IOTHUB_CLIENT_CONFIRMATION_RESULT. */
const CONFIRM = {ok: 0, destroy: 1, timeout: 2, error: 3} as const
/** IOTHUB_CLIENT_RETRY_POLICY. */
const RETRY = {none: 0, immediate: 1, interval: 2, linear: 3, exponential: 4, exponentialJitter: 5, random: 6} as const
/** PROV_DEVICE_RESULT and PROV_DEVICE_REG_STATUS. */
export const PROV = {OK: 0, TRANSPORT: 5, DEV_AUTH_ERROR: 7, TIMEOUT: 8, ERROR: 10, HUB_NOT_SPECIFIED: 11, UNAUTHORIZED: 12, DISABLED: 13} as const
const REG = {connected: 0, registering: 1, assigning: 2, assigned: 3, error: 4} as const

export const IOT_PORT = 8883
const MAX_REQUEST_BYTES = 300 * 1024
/** IoT Hub's device-to-cloud message limit (256 KiB). */
const MAX_MESSAGE_BYTES = 256 * 1024
/** What one event may carry (azureiot.c's event buffer is 66 KiB). */
const MAX_EVENT_PAYLOAD = 66 * 1024 - 8
const MAX_CLIENTS = 8
const MAX_QUEUED = 1000
const API_VERSION = '2021-04-12'
const DPS_API_VERSION = '2019-03-31'

interface Outbound {
  ctx: number
  /** The topic's property bag (the device ID is known once connected). */
  bag: string
  body: Buffer
  queuedAt: number
  inFlight: boolean
}

interface Options {
  keepAliveS: number
  modelId?: string
  trustedCerts?: string
  logTrace: boolean
  /** OPTION_AUTO_URL_ENCODE_DECODE: URL-encode property names and values (else they go as the app wrote them, as the C SDK does). */
  autoEncode: boolean
  messageTimeoutMs: number
  retryMaxDelayS: number
  retryIntervalS: number
  connectTimeoutS: number
}

const clients = new WeakMap<object, number>()

/** One IoT Hub (or DPS) client of an app: a host-backed kernel object its fd names. */
export class IotClient extends KObject {
  readonly kind = 'socket' as const
  override hostBacked = true
  private readonly events: {type: number; payload: Buffer}[] = []
  private charged = 0
  private closed = false
  private mq?: MqttClient
  private state: 'idle' | 'connecting' | 'connected' | 'waiting' | 'done' = 'idle'
  private subs = 0
  private readonly outbound: Outbound[] = []
  private readonly reported: {ctx: number; body: Buffer; rid?: string}[] = []
  /** Bytes of queued telemetry and reported documents charged to the app's host buffers. */
  private queuedCharge = 0
  private readonly full = new LimitAudit(() =>
    this.owner.limited('Azure IoT queued bytes', HOST_LIMITS.bufferBytesPerApp, Errno.ENOBUFS),
  )
  private readonly twinGets: number[] = []
  private rid = 1
  private readonly ridCtx = new Map<string, {kind: 'reported' | 'get' | 'full'; ctx: number}>()
  private attempt = 0
  /** Why the last attempt failed (the monitor shows it while the client retries). */
  private retryReason: Reason = 'OK'
  private retryTimer?: NodeJS.Timeout
  private sweep?: NodeJS.Timeout
  private policy: number = RETRY.exponentialJitter
  private retryLimitS = 0
  private firstFailureAt = 0
  private everConnected = false
  private registration?: {payload: string; opId?: string; pollTimer?: NodeJS.Timeout}
  private readonly opts: Options = {
    keepAliveS: 240,
    logTrace: false,
    autoEncode: false,
    messageTimeoutMs: 0,
    retryMaxDelayS: 60,
    retryIntervalS: 1,
    connectTimeoutS: 30,
  }
  readonly deviceId: string
  private sasKey?: string
  private sasToken?: string

  constructor(
    private readonly c: SysCtx,
    private readonly owner: SocketOwner,
    private readonly iot: IotHost,
    readonly clientKind: number,
    readonly host: string,
    deviceId: string | undefined,
    private readonly scopeId: string | undefined,
    cs: Record<string, string> | undefined,
  ) {
    super()
    this.nonblock = true
    owner.usage.sockets++
    this.deviceId = deviceId ?? cs?.DeviceId ?? ''
    this.sasKey = cs?.SharedAccessKey
    this.sasToken = cs?.SharedAccessSignature
  }

  override describe(): string {
    return `azure-iot ${this.host}`
  }

  override readable(): boolean {
    return this.events.length > 0
  }

  private trace(line: string): void {
    if (this.opts.logTrace && !this.closed) this.c.env.output('log', Buffer.from(`-> ${line}\n`))
  }

  private push(type: number, payload: Buffer): void {
    if (this.closed) return
    if (payload.length > MAX_EVENT_PAYLOAD) {
      this.c.env.output('log', Buffer.from(`azure-iot: dropped a ${payload.length}-byte message (more than ${MAX_EVENT_PAYLOAD})\n`))
      return
    }
    this.events.push({type, payload})
    if (chargeBytes(this.owner.usage, payload.length + 8)) this.charged += payload.length + 8
    this.owner.notify(this as never)
  }

  next(buf: number, cap: number): number {
    const e = this.events[0]
    if (!e) return -Errno.EAGAIN
    if (e.payload.length + 8 > cap) return -Errno.E2BIG
    this.events.shift()
    const n = Math.min(this.charged, e.payload.length + 8)
    this.charged -= n
    releaseBytes(this.owner.usage, n)
    const mem = this.c.mem
    mem.setU32(buf, e.type)
    mem.setU32(buf + 4, e.payload.length)
    mem.write(buf + 8, e.payload)
    return e.payload.length + 8
  }

  override close(): void {
    if (this.closed) return
    this.closed = true
    this.state = 'done'
    clearTimeout(this.retryTimer)
    clearInterval(this.sweep)
    clearTimeout(this.registration?.pollTimer)
    this.mq?.end(true)
    this.mq?.stream?.destroy()
    releaseBytes(this.owner.usage, this.charged + this.queuedCharge)
    this.charged = 0
    this.queuedCharge = 0
    this.events.length = 0
    this.outbound.length = 0
    this.reported.length = 0
    this.twinGets.length = 0
    this.ridCtx.clear()
    this.owner.usage.sockets = Math.max(0, this.owner.usage.sockets - 1)
    if (this.clientKind !== K.dps) this.report('disconnected', 'OK')
  }

  private report(state: CloudState['state'], reason: Reason): void {
    this.iot.report({state, host: this.host, reason, since: Date.now(), componentId: this.c.proc.componentId})
  }

  private status(status: number, reason: Reason): void {
    const p = Buffer.alloc(8)
    p.writeUInt32LE(status, 0)
    p.writeUInt32LE(REASON[reason], 4)
    this.push(EV.status, p)
  }

  // ---- requests from the app ----

  option(kind: number, name: string, value: Buffer): number {
    const int = (): number => (value.length >= 4 ? value.readInt32LE(0) : 0)
    const str = (): string => value.toString('utf8')
    switch (name) {
      case 'keepalive':
        if (int() < 0) return -Errno.EINVAL
        this.opts.keepAliveS = int()
        return 0
      case 'model_id':
        this.opts.modelId = str() || undefined
        return 0
      case 'TrustedCerts':
        this.opts.trustedCerts = str()
        return 0
      case 'auto_url_encode_decode':
        this.opts.autoEncode = int() !== 0
        return 0
      case 'logtrace':
        this.opts.logTrace = int() !== 0
        return 0
      case 'messageTimeout':
        this.opts.messageTimeoutMs = Math.max(0, int())
        return 0
      case 'retry_max_delay_secs':
        this.opts.retryMaxDelayS = Math.max(1, int())
        return 0
      case 'retry_interval_sec':
        this.opts.retryIntervalS = Math.max(1, int())
        return 0
      case 'connect_timeout':
        this.opts.connectTimeoutS = Math.max(1, int())
        return 0
      default:
        // options the C SDK accepts that change nothing here (SetDeviceId, URL encoding, product info ...)
        return kind === V.int || kind === V.bool || kind === V.string ? 0 : -Errno.EINVAL
    }
  }

  /** Take `n` bytes of a queued request onto the app's host buffers (false: they are full, audited). */
  private hold(n: number): boolean {
    if (!chargeBytes(this.owner.usage, n)) {
      this.full.hit()
      return false
    }
    this.full.clear()
    this.queuedCharge += n
    return true
  }

  /** Give back what a queued request held (sent and acknowledged, answered, expired or dropped). */
  private unhold(n: number): void {
    const m = Math.min(n, this.queuedCharge)
    this.queuedCharge -= m
    releaseBytes(this.owner.usage, m)
  }

  /** Take a telemetry message off the queue (and its bytes off the app's buffers). */
  private dequeue(o: Outbound): boolean {
    const i = this.outbound.indexOf(o)
    if (i < 0) return false
    this.outbound.splice(i, 1)
    this.unhold(o.body.length + o.bag.length)
    return true
  }

  sendEvent(ctx: number, msg: DecodedMessage): number {
    if (msg.body.length > MAX_MESSAGE_BYTES) return -Errno.E2BIG
    if (this.outbound.length >= MAX_QUEUED) {
      this.owner.limited('Azure IoT queued messages', MAX_QUEUED, Errno.ENOBUFS)
      return -Errno.ENOBUFS
    }
    const props: [string, string][] = []
    if (msg.messageId !== undefined) props.push(['$.mid', msg.messageId])
    if (msg.correlationId !== undefined) props.push(['$.cid', msg.correlationId])
    if (msg.contentType !== undefined) props.push(['$.ct', msg.contentType])
    if (msg.contentEncoding !== undefined) props.push(['$.ce', msg.contentEncoding])
    props.push(...msg.properties)
    const enc = this.opts.autoEncode ? encodeURIComponent : (x: string): string => x
    const bag = props.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')
    if (!this.hold(msg.body.length + bag.length)) return -Errno.ENOBUFS
    this.outbound.push({
      ctx,
      bag,
      body: msg.body,
      queuedAt: Date.now(),
      inFlight: false,
    })
    this.flush()
    return 0
  }

  sendReported(ctx: number, body: Buffer): number {
    try {
      JSON.parse(body.toString('utf8'))
    } catch {
      return -Errno.EINVAL
    }
    if (this.reported.length >= MAX_QUEUED) {
      this.owner.limited('Azure IoT queued reported states', MAX_QUEUED, Errno.ENOBUFS)
      return -Errno.ENOBUFS
    }
    if (!this.hold(body.length)) return -Errno.ENOBUFS
    this.reported.push({ctx, body})
    this.flush()
    return 0
  }

  getTwin(ctx: number): number {
    // requests on their way count too: a hub that never answers must not grow the table of them
    if (this.twinGets.length + this.ridCtx.size >= MAX_QUEUED) {
      this.owner.limited('Azure IoT twin requests', MAX_QUEUED, Errno.ENOBUFS)
      return -Errno.ENOBUFS
    }
    this.twinGets.push(ctx)
    this.flush()
    return 0
  }

  methodResponse(status: number, rid: string, body: Buffer): number {
    if (this.state !== 'connected' || !this.mq) return 0 // the hub times the call out, as for a dropped connection
    this.mq.publish(`$iothub/methods/res/${status}/?$rid=${encodeURIComponent(rid)}`, body.length ? body : Buffer.from('{}'), {qos: 0})
    return 0
  }

  subscribe(flags: number): number {
    const added = flags & ~this.subs
    this.subs = flags
    if (this.state === 'connected' && added) this.subscribeTopics(added, true)
    if (this.state === 'idle' && this.clientKind !== K.dps) this.start()
    return 0
  }

  retryPolicy(policy: number, limitS: number): number {
    if (policy < 0 || policy > RETRY.random) return -Errno.EINVAL
    this.policy = policy
    this.retryLimitS = limitS
    return 0
  }

  register(payload: string): number {
    if (this.clientKind !== K.dps || this.registration) return -Errno.EINVAL
    this.registration = {payload}
    this.start()
    return 0
  }

  // ---- the connection ----

  start(): void {
    if (this.state !== 'idle' || this.closed) return
    if (!this.sweep && this.clientKind !== K.dps) {
      this.sweep = setInterval(() => this.expire(), 1000)
      this.sweep.unref()
    }
    void this.connect()
  }

  private async connect(): Promise<void> {
    this.state = 'connecting'
    if (this.clientKind !== K.dps) this.report(this.attempt === 0 ? 'connecting' : 'retrying', this.attempt === 0 ? 'OK' : this.retryReason)
    const name = this.host
    // the firewall: AllowedConnections by name (audited); a name it refuses does not resolve
    if (this.owner.check({op: 'net.connect', host: name, port: IOT_PORT}) !== 0) return this.failed('NO_NETWORK', 'the firewall refused the connection')
    const useCert = this.sasKey === undefined && this.sasToken === undefined
    if (useCert && this.owner.check({op: 'capability', capability: 'DeviceAuthentication', action: 'use the device certificate'}) !== 0)
      return this.failed('BAD_CREDENTIAL', 'the manifest names no DeviceAuthentication tenant')
    let ep
    try {
      ep = await this.iot.endpoint(name, IOT_PORT)
    } catch (e) {
      return this.failed('NO_NETWORK', (e as Error).message)
    }
    if (this.closed) return
    if (!ep) return this.failed('NO_NETWORK', `${name} does not resolve`)
    const id = useCert ? this.iot.deviceIdentity() : undefined
    const deviceId = this.clientKind === K.connectionString ? this.deviceId : (id?.deviceId ?? this.deviceId)
    ;(this as {deviceId: string}).deviceId = deviceId
    const ca = [...ep.ca, ...(this.opts.trustedCerts ? pems(this.opts.trustedCerts) : [])]
    let username: string
    let password: string | undefined
    if (this.clientKind === K.dps) username = `${this.scopeId}/registrations/${deviceId}/api-version=${DPS_API_VERSION}`
    else {
      const q = new URLSearchParams({'api-version': API_VERSION, DeviceClientType: 'sphere-sdk-azure-iot-c/1.0'})
      if (this.opts.modelId) q.set('model-id', this.opts.modelId)
      username = `${name}/${deviceId}/?${q.toString()}`
      password = this.sasToken ?? (this.sasKey ? sasToken(`${name}/devices/${deviceId}`, this.sasKey) : undefined)
    }
    this.trace(`CONNECT ${ep.host}:${ep.port} as ${deviceId}`)
    const mq = new MqttClient(
      () =>
        tls.connect({
          host: ep.host,
          port: ep.port,
          servername: ep.servername,
          ca,
          ...(id ? {cert: id.cert, key: id.key} : {}),
        }),
      {
        clientId: deviceId,
        username,
        ...(password !== undefined ? {password} : {}),
        protocolVersion: 4,
        clean: false,
        keepalive: this.opts.keepAliveS,
        reconnectPeriod: 0,
        connectTimeout: this.opts.connectTimeoutS * 1000,
        resubscribe: false,
      },
    )
    this.mq = mq
    let settled = false
    mq.on('connect', () => {
      settled = true
      if (this.closed || this.mq !== mq) return
      this.onConnected()
    })
    mq.on('message', (topic: string, payload: Buffer, packet: IPublishPacket) => {
      if (this.mq === mq) this.onMessage(topic, payload, packet)
    })
    mq.on('error', (e: Error & {code?: unknown}) => {
      if (this.mq !== mq || this.closed) return
      const reason = reasonOf(e)
      mq.end(true)
      if (!settled) {
        settled = true
        this.failed(reason, e.message)
      } else this.dropped(reason, e.message)
    })
    mq.on('close', () => {
      if (this.mq !== mq || this.closed) return
      if (!settled) {
        settled = true
        this.failed('NO_NETWORK', 'connection closed')
      } else this.dropped(this.pingLost(mq) ? 'NO_PING_RESPONSE' : 'NO_NETWORK', 'connection closed')
    })
  }

  private pingLost(mq: MqttClient): boolean {
    return (mq as unknown as {pingResp?: boolean}).pingResp === false
  }

  private onConnected(): void {
    this.state = 'connected'
    this.attempt = 0
    this.firstFailureAt = 0
    this.everConnected = true
    this.trace('CONNACK')
    for (const o of this.outbound) o.inFlight = false
    if (this.clientKind === K.dps) {
      this.regStatus(REG.connected)
      this.dpsRegister()
      return
    }
    this.status(STATUS.authenticated, 'OK')
    this.report('connected', 'OK')
    this.subscribeTopics(this.subs | SUB.twin, false)
    this.flush()
  }

  private subscribeTopics(flags: number, onlyNew: boolean): void {
    const mq = this.mq
    if (!mq) return
    const topics: string[] = []
    if (flags & SUB.c2d) topics.push(`devices/${this.deviceId}/messages/devicebound/#`)
    if (flags & SUB.methods) topics.push('$iothub/methods/POST/#')
    if (flags & SUB.twin) topics.push('$iothub/twin/res/#')
    if (this.subs & SUB.twin && flags & SUB.twin) topics.push('$iothub/twin/PATCH/properties/desired/#')
    if (topics.length === 0) return
    mq.subscribe(topics, {qos: 0}, () => {
      // the full twin on every (re)connection, as the C SDK gets it, once the twin callback is set
      if (this.subs & SUB.twin && (!onlyNew || flags & SUB.twin) && this.mq === mq) this.requestTwin(0, 'full')
    })
  }

  private requestTwin(ctx: number, kind: 'get' | 'full'): void {
    const rid = String(this.rid++)
    this.ridCtx.set(rid, {kind, ctx})
    this.mq?.publish(`$iothub/twin/GET/?$rid=${rid}`, '', {qos: 0})
  }

  /** Send what is queued (telemetry, reported properties, twin requests) while connected. */
  private flush(): void {
    const mq = this.mq
    if (this.state !== 'connected' || !mq) return
    for (const o of this.outbound) {
      if (o.inFlight) continue
      o.inFlight = true
      const topic = `devices/${this.deviceId}/messages/events/${o.bag}`
      this.trace(`PUBLISH ${topic}`)
      mq.publish(topic, o.body, {qos: 1}, (err) => {
        if (this.mq !== mq || this.closed) return
        if (err) {
          o.inFlight = false
          return
        }
        if (this.dequeue(o)) this.confirm(o.ctx, CONFIRM.ok)
      })
    }
    for (const r of this.reported) {
      if (r.rid !== undefined) continue
      r.rid = String(this.rid++)
      this.ridCtx.set(r.rid, {kind: 'reported', ctx: r.ctx})
      mq.publish(`$iothub/twin/PATCH/properties/reported/?$rid=${r.rid}`, r.body, {qos: 0})
    }
    while (this.twinGets.length) this.requestTwin(this.twinGets.shift()!, 'get')
  }

  private confirm(ctx: number, result: number): void {
    const p = Buffer.alloc(8)
    p.writeUInt32LE(ctx, 0)
    p.writeUInt32LE(result, 4)
    this.push(EV.confirm, p)
  }

  /** Message timeouts (OPTION_MESSAGE_TIMEOUT) and the retry policy's time limit. */
  private expire(): void {
    const now = Date.now()
    if (this.opts.messageTimeoutMs > 0)
      for (const o of [...this.outbound])
        if (now - o.queuedAt > this.opts.messageTimeoutMs && this.dequeue(o)) this.confirm(o.ctx, CONFIRM.timeout)
  }

  private onMessage(topic: string, payload: Buffer, _packet: IPublishPacket): void {
    if (this.clientKind === K.dps) return this.onDps(topic, payload)
    if (topic.startsWith('$iothub/twin/res/')) {
      const m = /^\$iothub\/twin\/res\/(\d+)\/\?(.*)$/.exec(topic)
      if (!m) return
      const q = new URLSearchParams(m[2])
      const rid = q.get('$rid') ?? ''
      const what = this.ridCtx.get(rid)
      if (!what) return
      this.ridCtx.delete(rid)
      const code = Number(m[1])
      if (what.kind === 'reported') {
        const i = this.reported.findIndex((r) => r.rid === rid)
        if (i >= 0) this.unhold(this.reported.splice(i, 1)[0]!.body.length)
        const p = Buffer.alloc(8)
        p.writeUInt32LE(what.ctx, 0)
        p.writeInt32LE(code, 4)
        this.push(EV.reported, p)
      } else if (code === 200) this.twin(0, what.kind === 'full' ? 0 : what.ctx, payload)
      return
    }
    if (topic.startsWith('$iothub/twin/PATCH/properties/desired/')) return this.twin(1, 0, payload)
    const method = /^\$iothub\/methods\/POST\/([^/]+)\/\?(.*)$/.exec(topic)
    if (method) {
      const rid = new URLSearchParams(method[2]).get('$rid') ?? ''
      this.push(EV.method, Buffer.concat([Buffer.from(`${rid}\0${decodeURIComponent(method[1]!)}\0`), payload]))
      return
    }
    const prefix = `devices/${this.deviceId}/messages/devicebound/`
    if (topic.startsWith(prefix)) this.push(EV.c2d, encodeC2d(topic.slice(prefix.length), payload))
  }

  private twin(state: 0 | 1, ctx: number, payload: Buffer): void {
    const p = Buffer.alloc(8)
    p.writeUInt32LE(state, 0)
    p.writeUInt32LE(ctx, 4)
    this.push(EV.twin, Buffer.concat([p, payload]))
  }

  /** A connection attempt failed: tell the app (UNAUTHENTICATED + why) and retry per the policy. */
  private failed(reason: Reason, why: string): void {
    if (this.closed) return
    this.trace(`connection failed: ${why}`)
    this.mq = undefined
    if (this.clientKind === K.dps) return this.dpsFailed(reason === 'BAD_CREDENTIAL' ? PROV.UNAUTHORIZED : PROV.TRANSPORT)
    this.status(STATUS.unauthenticated, reason)
    this.scheduleRetry(reason)
  }

  /** An established connection dropped. */
  private dropped(reason: Reason, why: string): void {
    if (this.closed || this.state !== 'connected') return
    this.trace(`connection lost: ${why}`)
    this.mq = undefined
    this.state = 'waiting'
    if (this.clientKind === K.dps) return this.dpsFailed(PROV.TRANSPORT)
    // twin and reported requests without an answer are asked again after reconnecting
    for (const r of this.reported) r.rid = undefined
    this.ridCtx.clear()
    this.status(STATUS.unauthenticated, reason)
    this.scheduleRetry(reason)
  }

  private scheduleRetry(reason: Reason): void {
    this.state = 'waiting'
    const now = Date.now()
    if (this.firstFailureAt === 0) this.firstFailureAt = now
    const limitMs = this.retryLimitS * 1000
    if (this.policy === RETRY.none || (limitMs > 0 && now - this.firstFailureAt >= limitMs)) {
      this.state = 'done'
      this.status(STATUS.unauthenticated, 'RETRY_EXPIRED')
      this.report('disconnected', 'RETRY_EXPIRED')
      for (const o of [...this.outbound]) if (this.dequeue(o)) this.confirm(o.ctx, CONFIRM.error)
      return
    }
    this.retryReason = reason
    this.report('retrying', reason)
    const delay = this.retryDelayMs()
    this.attempt++
    this.retryTimer = setTimeout(() => {
      this.state = 'idle'
      this.start()
    }, delay)
    this.retryTimer.unref()
  }

  private retryDelayMs(): number {
    const max = this.opts.retryMaxDelayS * 1000
    const base = this.opts.retryIntervalS * 1000
    const r = new Uint8Array(1)
    this.c.env.random(r)
    const jitter = r[0]! / 255
    switch (this.policy) {
      case RETRY.immediate:
        return 0
      case RETRY.interval:
        return base
      case RETRY.linear:
        return Math.min(max, base * (this.attempt + 1))
      case RETRY.exponential:
        return Math.min(max, base * 2 ** this.attempt)
      case RETRY.random:
        return Math.round(max * jitter)
      default:
        // exponential back-off, +/- 20 % jitter
        return Math.round(Math.min(max, base * 2 ** this.attempt) * (0.8 + 0.4 * jitter))
    }
  }

  // ---- DPS ----

  private regStatus(s: number): void {
    const p = Buffer.alloc(4)
    p.writeUInt32LE(s, 0)
    this.push(EV.regStatus, p)
  }

  private dpsRegister(): void {
    const mq = this.mq
    const reg = this.registration
    if (!mq || !reg) return
    mq.subscribe('$dps/registrations/res/#', {qos: 0}, () => {
      const body: Record<string, unknown> = {registrationId: this.deviceId}
      if (reg.payload) {
        try {
          body.payload = JSON.parse(reg.payload)
        } catch {
          body.payload = reg.payload
        }
      }
      this.regStatus(REG.registering)
      mq.publish(`$dps/registrations/PUT/iotdps-register/?$rid=${this.rid++}`, JSON.stringify(body), {qos: 1})
    })
  }

  private onDps(topic: string, payload: Buffer): void {
    const m = /^\$dps\/registrations\/res\/(\d+)\/\?(.*)$/.exec(topic)
    const reg = this.registration
    if (!m || !reg || this.state === 'done') return
    const code = Number(m[1])
    const q = new URLSearchParams(m[2])
    let doc: {operationId?: string; status?: string; registrationState?: {assignedHub?: string; deviceId?: string; payload?: unknown; status?: string}}
    try {
      doc = JSON.parse(payload.toString('utf8')) as typeof doc
    } catch {
      doc = {}
    }
    if (code === 401 || code === 403) return this.dpsFailed(PROV.UNAUTHORIZED)
    if (code >= 300 && code !== 429) return this.dpsFailed(PROV.ERROR)
    const status = doc.status ?? doc.registrationState?.status
    if (status === 'assigned' && doc.registrationState?.assignedHub) {
      const s = doc.registrationState
      this.regStatus(REG.assigned)
      const res = Buffer.alloc(4)
      res.writeUInt32LE(PROV.OK, 0)
      const returned = s.payload === undefined ? '' : JSON.stringify(s.payload)
      this.push(EV.registered, Buffer.concat([res, Buffer.from(`${s.assignedHub}\0${s.deviceId ?? this.deviceId}\0${returned}`)]))
      this.finishDps()
      return
    }
    if (status === 'failed' || status === 'disabled') return this.dpsFailed(status === 'disabled' ? PROV.DISABLED : PROV.ERROR)
    // assigning (202) or throttled (429): poll the operation after retry-after seconds
    reg.opId = doc.operationId ?? reg.opId
    this.regStatus(REG.assigning)
    const after = Math.min(10, Math.max(0.1, Number(q.get('retry-after') ?? 1) || 1))
    clearTimeout(reg.pollTimer)
    reg.pollTimer = setTimeout(() => {
      if (!this.mq || !reg.opId) return
      this.mq.publish(
        `$dps/registrations/GET/iotdps-get-operationstatus/?$rid=${this.rid++}&operationId=${encodeURIComponent(reg.opId)}`,
        '',
        {qos: 1},
      )
    }, after * 1000)
    reg.pollTimer.unref()
  }

  private dpsFailed(result: number): void {
    if (this.state === 'done') return
    this.regStatus(REG.error)
    const p = Buffer.alloc(5)
    p.writeUInt32LE(result, 0)
    this.push(EV.registered, p)
    this.finishDps()
  }

  private finishDps(): void {
    this.state = 'done'
    clearTimeout(this.registration?.pollTimer)
    const mq = this.mq
    this.mq = undefined
    mq?.end(true)
  }
}

/** The PEM certificates of a TrustedCerts option. */
function pems(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
}

/**
 * The C SDK's reason for a failed or lost MQTT connection. Its MQTT layer reports any error of the connection
 * itself (refused, reset, closed, a failed TLS handshake) as a connection error, which the transport passes on as
 * NO_NETWORK; CONNACK refusals map as its transport maps them (3 server unavailable: DEVICE_DISABLED; 4 bad user
 * name or password, 5 not authorised: BAD_CREDENTIAL); other MQTT protocol errors are COMMUNICATION_ERROR.
 */
function reasonOf(e: Error & {code?: unknown}): Reason {
  const code = e.code
  if (code === 4 || code === 5) return 'BAD_CREDENTIAL'
  if (code === 3) return 'DEVICE_DISABLED'
  // Node's socket and TLS errors (ECONNRESET, ECONNREFUSED, ERR_SSL_..., UNABLE_TO_VERIFY_LEAF_SIGNATURE, ...)
  if (typeof code === 'string') return 'NO_NETWORK'
  return 'COMMUNICATION_ERROR'
}

/** An IoT Hub SAS token for `resource` (the connection string's SharedAccessKey), valid for an hour. */
export function sasToken(resource: string, keyB64: string, expirySeconds = Math.floor(Date.now() / 1000) + 3600): string {
  const sr = encodeURIComponent(resource)
  const sig = createHmac('sha256', Buffer.from(keyB64, 'base64')).update(`${sr}\n${expirySeconds}`).digest('base64')
  return `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${expirySeconds}`
}

export interface DecodedMessage {
  body: Buffer
  kind: number
  contentType?: string
  contentEncoding?: string
  messageId?: string
  correlationId?: string
  properties: [string, string][]
  context: number
}

function tlvs(b: Buffer): {tag: number; v: Buffer}[] | undefined {
  const out: {tag: number; v: Buffer}[] = []
  let off = 0
  while (off < b.length) {
    if (off + 8 > b.length) return undefined
    const tag = b.readUInt32LE(off)
    const len = b.readUInt32LE(off + 4)
    off += 8
    if (off + len > b.length) return undefined
    out.push({tag, v: b.subarray(off, off + len)})
    off += len
  }
  return out
}

export function decodeMessage(b: Buffer): DecodedMessage | undefined {
  const items = tlvs(b)
  if (!items) return undefined
  const m: DecodedMessage = {body: Buffer.alloc(0), kind: 0, properties: [], context: 0}
  for (const {tag, v} of items) {
    const s = v.toString('utf8')
    switch (tag) {
      case M.body:
        m.body = Buffer.from(v)
        break
      case M.kind:
        m.kind = v.length >= 4 ? v.readUInt32LE(0) : 0
        break
      case M.contentType:
        m.contentType = s
        break
      case M.contentEncoding:
        m.contentEncoding = s
        break
      case M.messageId:
        m.messageId = s
        break
      case M.correlationId:
        m.correlationId = s
        break
      case M.context:
        m.context = v.length >= 4 ? v.readUInt32LE(0) : 0
        break
      case M.property: {
        const z = v.indexOf(0)
        if (z < 0) return undefined
        m.properties.push([v.subarray(0, z).toString('utf8'), v.subarray(z + 1).toString('utf8')])
        break
      }
      default:
        break
    }
  }
  return m
}

/** A C2D message (topic property bag + body) as the TLV azureiot.c reads. */
function encodeC2d(bag: string, body: Buffer): Buffer {
  const parts: Buffer[] = []
  const put = (tag: number, v: Buffer): void => {
    const h = Buffer.alloc(8)
    h.writeUInt32LE(tag, 0)
    h.writeUInt32LE(v.length, 4)
    parts.push(h, v)
  }
  const kind = Buffer.alloc(4)
  kind.writeUInt32LE(0, 0)
  put(M.kind, kind)
  put(M.body, body)
  for (const [k, v] of new URLSearchParams(bag)) {
    if (k === '$.mid' || k === 'message-id') put(M.messageId, Buffer.from(v))
    else if (k === '$.cid' || k === 'correlation-id') put(M.correlationId, Buffer.from(v))
    else if (k === '$.ct' || k === 'content-type') put(M.contentType, Buffer.from(v))
    else if (k === '$.ce' || k === 'content-encoding') put(M.contentEncoding, Buffer.from(v))
    else if (k.startsWith('$.') || k.startsWith('iothub-')) continue
    else put(M.property, Buffer.from(`${k}\0${v}`))
  }
  return Buffer.concat(parts)
}

/** A connection string's fields (HostName=...;DeviceId=...;SharedAccessKey=...). */
export function parseConnectionString(s: string): Record<string, string> | undefined {
  const out: Record<string, string> = {}
  for (const part of s.split(';')) {
    if (part.trim() === '') continue
    const i = part.indexOf('=')
    if (i <= 0) return undefined
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim()
  }
  return out.HostName && out.DeviceId ? out : undefined
}

function iotImports(c: SysCtx): Record<string, Impl> {
  const {mem, proc, kernel, lsm, subject} = c
  const fds = proc.fds
  const owner = socketOwner(kernel, lsm, proc, subject)
  const client = (fd: number): IotClient | number => {
    const o = fds.get(fd)
    if (!o) return -Errno.EBADF
    return o instanceof IotClient ? o : -Errno.EINVAL
  }
  return {
    iot_open(req: number, len: number): number {
      if (len > MAX_REQUEST_BYTES) return -Errno.E2BIG
      const iot = c.env.iot
      if (!iot) return -NetErrno.ENETDOWN
      if (owner.atSocketLimit()) return -Errno.EMFILE
      const open = clients.get(proc) ?? 0
      if (open >= MAX_CLIENTS) {
        owner.limited('Azure IoT clients', MAX_CLIENTS, Errno.EMFILE)
        return -Errno.EMFILE
      }
      const items = tlvs(Buffer.from(mem.read(req, len)))
      if (!items) return -Errno.EINVAL
      const get = (tag: number): string | undefined => {
        const v = items.find((i) => i.tag === tag)?.v
        return v === undefined ? undefined : v.toString('utf8')
      }
      const kindBuf = items.find((i) => i.tag === T.kind)?.v
      const kind = kindBuf && kindBuf.length >= 4 ? kindBuf.readUInt32LE(0) : 0
      let host = get(T.host)
      let cs: Record<string, string> | undefined
      if (kind === K.connectionString) {
        cs = parseConnectionString(get(T.connectionString) ?? '')
        if (!cs) return -Errno.EINVAL
        host = cs.HostName
      } else if (kind !== K.hubDeviceAuth && kind !== K.dps) return -Errno.EINVAL
      if (!host || !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(host)) return -Errno.EINVAL
      if (kind === K.dps && !get(T.scopeId)) return -Errno.EINVAL
      const cl = new IotClient(c, owner, iot, kind, host.toLowerCase(), get(T.deviceId), get(T.scopeId), cs)
      const fd = fds.add(cl)
      if (fd < 0) {
        cl.close()
        return fd
      }
      clients.set(proc, open + 1)
      const close = cl.close.bind(cl)
      cl.close = () => {
        clients.set(proc, Math.max(0, (clients.get(proc) ?? 1) - 1))
        close()
      }
      return fd
    },
    iot_send(fd: number, op: number, buf: number, len: number): number {
      const cl = client(fd)
      if (typeof cl === 'number') return cl
      if (len > MAX_REQUEST_BYTES) return -Errno.E2BIG
      const wait = c.admit(len * COST.nsPerByte)
      if (wait !== 0) return wait
      const b = Buffer.from(mem.read(buf, len))
      const u32 = (o: number): number => (b.length >= o + 4 ? b.readUInt32LE(o) : -1)
      switch (op) {
        case OP.event: {
          const m = decodeMessage(b)
          return m ? cl.sendEvent(m.context, m) : -Errno.EINVAL
        }
        case OP.reported:
          return b.length > 4 ? cl.sendReported(u32(0), b.subarray(4)) : -Errno.EINVAL
        case OP.getTwin:
          return b.length >= 4 ? cl.getTwin(u32(0)) : -Errno.EINVAL
        case OP.methodResponse: {
          const z = b.indexOf(0, 4)
          if (b.length < 5 || z < 0) return -Errno.EINVAL
          return cl.methodResponse(b.readInt32LE(0), b.subarray(4, z).toString('utf8'), b.subarray(z + 1))
        }
        case OP.option: {
          const z = b.indexOf(0, 4)
          if (b.length < 5 || z < 0) return -Errno.EINVAL
          return cl.option(u32(0), b.subarray(4, z).toString('utf8'), b.subarray(z + 1))
        }
        case OP.subscribe:
          return b.length >= 4 ? cl.subscribe(u32(0)) : -Errno.EINVAL
        case OP.retry:
          return b.length >= 8 ? cl.retryPolicy(u32(0), u32(4)) : -Errno.EINVAL
        case OP.register:
          return cl.register(b.toString('utf8'))
        default:
          return -Errno.EINVAL
      }
    },
    iot_next(fd: number, buf: number, cap: number): number {
      const cl = client(fd)
      if (typeof cl === 'number') return cl
      if (cl.clientKind !== K.dps) cl.start()
      return cl.next(buf, cap >>> 0)
    },
  }
}

export const iotGroup: SyscallGroup = {
  source: 'src/os/runtime/azure-iot.ts',
  bind: iotImports,
  entries: [
    syscall('sphere', 'iot_open', 'const void *req, uint32_t len', {
      returns: 'fd',
      mem: ['req[len]!'],
      policy: {inImpl: 'each connection (to the hub or DPS, every retry) is a net.connect to the host name, port 8883, decided when it is made'},
      doc: 'Azure IoT: a device client or DPS client described by a TLV (sdk/libapplibs/azureiot.c: kind, host, device ID, connection string, ID scope); the fd is closed with close(); EMFILE at 8 clients or the socket limit',
    }),
    syscall('sphere', 'iot_send', 'int32_t fd, uint32_t op, const void *buf, uint32_t len', {
      mem: ['buf[len]?'],
      policy: {inImpl: 'queues a request on a client the app opened (telemetry, reported properties, method answers, options, DPS registration)'},
      heavy: 'bytes of the request',
      doc: 'Azure IoT: one request (1 event, 2 reported state, 3 method response, 4 option, 5 subscriptions, 6 retry policy, 7 get twin, 8 DPS register); E2BIG past 256 KiB of message body',
    }),
    syscall('sphere', 'iot_next', 'int32_t fd, void *buf, uint32_t cap', {
      returns: 'n',
      mem: ['buf[cap]!'],
      policy: {inImpl: 'reads what the client the app opened received'},
      heavy: 'bytes of the event',
      doc: 'Azure IoT: the next event (u32 type, u32 len, payload: 1 connection status, 2 send confirmation, 3 reported-state answer, 4 twin, 5 method call, 6 C2D message, 7 DPS result, 8 DPS status) without blocking (-EAGAIN); starts the connection on first use',
    }),
  ],
}

