/**
 * The hub service: an aedes broker on MQTT 3.1.1 over TLS that speaks IoT Hub's device dialect and DPS's
 * registration dialect (docs/hub.md), with X.509 device authentication, and the control channel the
 * `sphere hub ...` commands use (HTTP over a Unix socket, routes in api.ts).
 *
 * Every device publish enters through aedes' authorizePublish, which runs before the broker acknowledges a
 * QoS 1 message: telemetry is recorded there (message ID, sequence number) so a PUBACK means "accepted", and the
 * twin, method and DPS requests are answered there, straight to the one client that asked.
 */
import {Aedes, type AuthenticateError, type Client, type PublishPacket} from 'aedes'
import {randomBytes, randomUUID, X509Certificate} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, rmSync} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import tls from 'node:tls'
import {writeFileAtomic} from '../util/atomic-file.js'
import {commonName, hubServerTls, issuedBy, presentedChain, thumbprint} from './certs.js'
import {serveControl, type ControlBackend} from './control.js'
import {DEFAULT_DPS_HOST_NAME, DEFAULT_HUB_HOST_NAME} from './names.js'
import {hubConfigFile, hubDir, hubInfoFile, hubSocketPath} from './paths.js'
import {MAX_MQTT_PACKET, PacketGuard} from './packet-guard.js'
import {HubState, type AcceptedMessage} from './state.js'
import {badPropertyName, deviceTwinDocument, isObject, mergePatch, type JsonObject} from './twin.js'
import type {
  C2dRequest,
  DeviceIdentity,
  EnrollmentGroup,
  HubEndpoint,
  HubEvent,
  HubStatus,
  MethodResult,
  Twin,
} from './types.js'
import type {HubInfo} from './lifecycle.js'

export interface HubServiceOptions {
  home: string
  port?: number
  hostName?: string
  /** Where log lines go (default: stdout, the service's hub.log). */
  log?: (line: string) => void
}

interface HubConfig {
  port: number
  hostName: string
  dpsHostName: string
  idScope: string
}

/** A control-channel failure: HTTP status + a stable code + one line. */
export class HubError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

interface Session {
  kind: 'hub' | 'dps'
  /** Device ID (hub) or registration ID (DPS). */
  id: string
  client: Client
  subscriptions: Set<string>
  authMethod: string
  /** The enrolment group whose CA issued the certificate, when one did. */
  group?: EnrollmentGroup
}

interface PendingMethod {
  deviceId: string
  resolve: (r: MethodResult) => void
  timer: NodeJS.Timeout
}

const ts = () => new Date().toISOString()
const stdoutLog = (msg: string) => void process.stdout.write(`${ts()} ${msg}\n`)

/** `a=1&%24.mid=x` -> {a: '1', '$.mid': 'x'}; undecodable pieces are kept as they are. */
export function parsePropertyBag(bag: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of bag.split('&')) {
    if (!part) continue
    const i = part.indexOf('=')
    const dec = (s: string) => {
      try {
        return decodeURIComponent(s)
      } catch {
        return s
      }
    }
    out[dec(i < 0 ? part : part.slice(0, i))] = i < 0 ? '' : dec(part.slice(i + 1))
  }
  return out
}

export function encodePropertyBag(props: Record<string, string>): string {
  return Object.entries(props)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&')
}

/** IoT Hub's system property keys on the topic and the names monitor-events shows them under. */
const SYSTEM_PROPERTIES: Record<string, string> = {
  '$.mid': 'message-id',
  '$.cid': 'correlation-id',
  '$.ct': 'content-type',
  '$.ce': 'content-encoding',
  '$.uid': 'user-id',
  '$.to': 'to',
  '$.exp': 'absolute-expiry-time',
  '$.ifid': 'dt-interface',
  '$.sub': 'dt-subject',
  'iothub-creation-time-utc': 'iothub-creation-time-utc',
}

function decodePayload(payload: Buffer, contentType: string | undefined): unknown {
  const text = payload.toString('utf8')
  if (!Buffer.from(text, 'utf8').equals(payload)) return payload.toString('base64')
  if (contentType && !/json/i.test(contentType)) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const authError = (message: string): AuthenticateError => Object.assign(new Error(message), {returnCode: 5 as const})

/** Device IDs as IoT Hub allows them: up to 128 of letters, digits and - . % _ * ? ! ( ) , : = @ $ '. */
const DEVICE_ID_RE = /^[A-Za-z0-9\-.%_*?!(),:=@$']{1,128}$/

export class HubService implements ControlBackend {
  readonly state: HubState
  private config!: HubConfig
  private broker!: Aedes
  private tlsServer!: tls.Server
  private control!: http.Server
  private caPem = ''
  private readonly sessions = new Map<string, Session>()
  private readonly monitors = new Set<{deviceId?: string; send: (m: AcceptedMessage) => void}>()
  private readonly methods = new Map<string, PendingMethod>()
  private readonly dpsOps = new Map<string, {registrationId: string; done: boolean}>()
  private rid = 0
  private startedAt = ts()

  private readonly log: (line: string) => void

  constructor(private readonly opts: HubServiceOptions) {
    this.log = opts.log ?? stdoutLog
    mkdirSync(hubDir(opts.home), {recursive: true})
    this.state = new HubState(opts.home)
  }

  private loadConfig(): HubConfig {
    let saved: Partial<HubConfig> = {}
    const f = hubConfigFile(this.opts.home)
    if (existsSync(f)) {
      try {
        saved = JSON.parse(readFileSync(f, 'utf8')) as Partial<HubConfig>
      } catch {
        throw new Error(`${f} is not valid JSON`)
      }
    }
    const port = this.opts.port ?? saved.port ?? 0
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port ${String(port)} is not a TCP port`)
    return {
      port,
      hostName: this.opts.hostName ?? saved.hostName ?? DEFAULT_HUB_HOST_NAME,
      dpsHostName: saved.dpsHostName ?? DEFAULT_DPS_HOST_NAME,
      idScope: saved.idScope ?? `0ne${randomBytes(4).toString('hex').toUpperCase()}`,
    }
  }

  endpoint(): HubEndpoint {
    return {
      host: '127.0.0.1',
      port: this.config.port,
      caPem: this.caPem,
      hostName: this.config.hostName,
      dpsHostName: this.config.dpsHostName,
      idScope: this.config.idScope,
    }
  }

  async start(): Promise<HubInfo> {
    this.config = this.loadConfig()
    const id = this.tlsIdentity()
    this.broker = new Aedes({
      id: 'sphere-hub',
      maxClientsIdLength: 128, // Azure Sphere device IDs are 128 hex digits
      authenticate: (client, username, _password, done) => this.authenticate(client, username, done),
      authorizePublish: (client, packet, done) => this.onPublish(client, packet, done),
      authorizeSubscribe: (client, sub, done) => done(null, this.allowSubscription(client, sub.topic) ? sub : null),
      // nothing flows device to device: the only packets a client gets are the hub's answers to it
      authorizeForward: (client, packet) => (this.isHubToDevice(client, packet.topic) ? packet : null),
    })
    await this.broker.listen()
    this.broker.on('clientReady', (c) => this.onReady(c))
    this.broker.on('clientDisconnect', (c) => this.onGone(c))
    this.broker.on('subscribe', (subs, c) =>
      this.onSubscribe(
        c,
        subs.map((s) => s.topic),
      ),
    )
    this.broker.on('clientError', (c, e) => this.log(`client ${c?.id ?? '?'}: ${e.message}`))
    this.tlsServer = tls.createServer(
      {key: id.key, cert: id.cert, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2'},
      (s) =>
        this.broker.handle(
          new PacketGuard(s, MAX_MQTT_PACKET, (n) =>
            this.log(`closed a connection announcing a ${n}-byte packet (limit ${MAX_MQTT_PACKET})`),
          ),
        ),
    )
    this.tlsServer.on('tlsClientError', (e) => this.log(`tls: ${e.message}`))
    await new Promise<void>((resolve, reject) => {
      this.tlsServer.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          e.code === 'EADDRINUSE'
            ? new Error(`port ${this.config.port} is in use; start with --port to choose another`)
            : e,
        ),
      )
      this.tlsServer.listen(this.config.port, '127.0.0.1', () => resolve())
    })
    this.config.port = (this.tlsServer.address() as AddressInfo).port
    writeFileAtomic(hubConfigFile(this.opts.home), JSON.stringify(this.config, null, 2) + '\n')
    const socketPath = hubSocketPath(this.opts.home)
    rmSync(socketPath, {force: true})
    this.control = await serveControl(socketPath, this)
    this.startedAt = ts()
    const info: HubInfo = {pid: process.pid, startedAt: this.startedAt, socketPath, endpoint: this.endpoint()}
    writeFileAtomic(hubInfoFile(this.opts.home), JSON.stringify(info, null, 2) + '\n')
    this.log(
      `hub: mqtts://127.0.0.1:${this.config.port} (${this.config.hostName}, ${this.config.dpsHostName}, scope ${this.config.idScope})`,
    )
    return info
  }

  private tlsIdentity() {
    const id = hubServerTls(this.opts.home, [this.config.hostName, this.config.dpsHostName])
    this.caPem = id.caPem
    return id
  }

  async close(): Promise<void> {
    for (const p of this.methods.values()) clearTimeout(p.timer)
    // end the open monitor streams too, or close() would wait for them
    const closed = new Promise<void>((r) => this.control?.close(() => r()))
    this.control?.closeAllConnections()
    await closed
    await new Promise<void>((r) => this.broker.close(() => r()))
    await new Promise<void>((r) => this.tlsServer.close(() => r()))
    this.state.save()
    rmSync(hubInfoFile(this.opts.home), {force: true})
    rmSync(hubSocketPath(this.opts.home), {force: true})
  }

  // ------------------------------------------------------------------------------------------------
  // Device authentication

  private authenticate(
    client: Client,
    username: string | undefined,
    done: (e: AuthenticateError | null, ok: boolean | null) => void,
  ): void {
    const fail = (why: string) => {
      this.log(`refused ${client.id || '(no client id)'}: ${why}`)
      done(authError(why), false)
    }
    const sock = client.conn as unknown as Pick<tls.TLSSocket, 'getPeerCertificate'>
    const chain = typeof sock.getPeerCertificate === 'function' ? presentedChain(sock.getPeerCertificate(true)) : []
    const leaf = chain[0]
    if (!leaf) return fail('no client certificate (X.509 authentication only)')
    const user = username ?? ''
    const dps = /^([^/]+)\/registrations\/([^/]+)\//.exec(user)
    if (dps) {
      if (dps[1] !== this.config.idScope) return fail(`unknown ID scope '${dps[1]}'`)
      if (dps[2] !== client.id) return fail(`registration ID '${dps[2]}' is not the client ID '${client.id}'`)
      const group = this.issuingGroup(chain)
      const dev = this.state.devices[client.id]
      const selfSigned = dev?.authentication.type === 'selfSigned' && this.thumbprintMatches(dev, leaf)
      if (!selfSigned && !(group && commonName(leaf) === client.id))
        return fail(
          group
            ? `certificate CN '${commonName(leaf) ?? ''}' is not the registration ID`
            : 'no enrolment for this certificate',
        )
      this.sessions.set(client.id, {
        kind: 'dps',
        id: client.id,
        client,
        subscriptions: new Set(),
        authMethod: 'x509',
        ...(group ? {group} : {}),
      })
      return done(null, true)
    }
    const m = /^[^/]+\/([^/]+)(\/|$)/.exec(user)
    if (!m || m[1] !== client.id) return fail(`username '${user}' does not name the device '${client.id}'`)
    const dev = this.state.devices[client.id]
    if (!dev) return fail(`device '${client.id}' is not registered`)
    if (dev.status !== 'enabled') return fail(`device '${client.id}' is disabled`)
    if (dev.authentication.type === 'selfSigned') {
      if (!this.thumbprintMatches(dev, leaf))
        return fail(`certificate thumbprint ${thumbprint(leaf)} is not the device's`)
    } else {
      const group = this.issuingGroup(chain)
      if (!group) return fail('certificate not issued by a trusted CA')
      if (commonName(leaf) !== client.id) return fail(`certificate CN '${commonName(leaf) ?? ''}' is not the device ID`)
    }
    const authMethod = dev.authentication.type === 'selfSigned' ? 'x509Certificate' : 'x509CA'
    this.sessions.get(client.id)?.client.close() // a second connection with the same ID replaces the first, as on IoT Hub
    this.sessions.set(client.id, {kind: 'hub', id: client.id, client, subscriptions: new Set(), authMethod})
    done(null, true)
  }

  private thumbprintMatches(dev: DeviceIdentity, leaf: X509Certificate): boolean {
    const t = thumbprint(leaf)
    const {primaryThumbprint: p, secondaryThumbprint: s} = dev.authentication.x509Thumbprint
    return (!!p && p.toUpperCase() === t) || (!!s && s.toUpperCase() === t)
  }

  private issuingGroup(chain: X509Certificate[]): EnrollmentGroup | undefined {
    for (const g of Object.values(this.state.groups)) {
      try {
        if (issuedBy(chain, new X509Certificate(g.caPem))) return g
      } catch {
        // a group whose PEM no longer parses trusts nothing
      }
    }
    return undefined
  }

  private session(client: Client | null): Session | undefined {
    if (!client) return undefined
    const s = this.sessions.get(client.id)
    return s && s.client === client ? s : undefined
  }

  private onReady(client: Client): void {
    const s = this.session(client)
    if (!s || s.kind !== 'hub') return
    const dev = this.state.devices[s.id]
    if (dev) {
      dev.connectionState = 'Connected'
      dev.connectionStateUpdatedTime = ts()
      dev.lastActivityTime = ts()
    }
    this.log(`connected ${s.id} (${s.authMethod})`)
  }

  private onGone(client: Client): void {
    const s = this.session(client)
    if (!s) return
    this.sessions.delete(s.id)
    if (s.kind !== 'hub') return
    const dev = this.state.devices[s.id]
    if (dev) {
      dev.connectionState = 'Disconnected'
      dev.connectionStateUpdatedTime = ts()
    }
    this.log(`disconnected ${s.id}`)
  }

  /** Topics only the hub publishes, and only to the one client they address. */
  private isHubToDevice(client: Client, topic: string): boolean {
    const s = this.session(client)
    if (!s) return false
    if (s.kind === 'dps') return topic.startsWith('$dps/registrations/res/')
    return (
      topic.startsWith('$iothub/twin/res/') ||
      topic.startsWith('$iothub/methods/POST/') ||
      topic.startsWith('$iothub/twin/PATCH/properties/desired/') ||
      topic.startsWith(`devices/${s.id}/messages/devicebound/`)
    )
  }

  private allowSubscription(client: Client, topic: string): boolean {
    const s = this.session(client)
    if (!s) return false
    if (s.kind === 'dps') return topic === '$dps/registrations/res/#'
    return (
      topic === `devices/${s.id}/messages/devicebound/#` ||
      topic === '$iothub/methods/POST/#' ||
      topic === '$iothub/twin/res/#' ||
      topic === '$iothub/twin/PATCH/properties/desired/#'
    )
  }

  private onSubscribe(client: Client, topics: string[]): void {
    const s = this.session(client)
    if (!s) return
    for (const t of topics) s.subscriptions.add(t)
    if (topics.includes(`devices/${s.id}/messages/devicebound/#`)) this.flushC2d(s)
  }

  // ------------------------------------------------------------------------------------------------
  // What devices publish

  private onPublish(client: Client | null, packet: PublishPacket, done: (e?: Error | null) => void): void {
    const s = this.session(client)
    if (!s) return done(new Error('not authenticated'))
    const topic = packet.topic
    // IoT Hub keeps nothing retained; and the topics the hub writes to devices are not the devices' to publish
    packet.retain = false
    if (
      (client && this.isHubToDevice(client, topic)) ||
      (client && topic.startsWith('devices/') && !topic.startsWith(`devices/${s.id}/messages/events`))
    ) {
      this.log(`${s.id}: refused publish on ${topic}: disconnected`)
      return done(new Error(`publish on ${topic} is not allowed`))
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload)
    try {
      if (s.kind === 'dps') this.onDpsPublish(s, topic, payload)
      else {
        const dev = this.state.devices[s.id]
        if (dev) dev.lastActivityTime = ts()
        if (topic === `devices/${s.id}/messages/events` || topic.startsWith(`devices/${s.id}/messages/events/`))
          this.onTelemetry(s, topic, payload)
        else if (topic.startsWith('$iothub/twin/')) this.onTwinRequest(s, topic, payload)
        else if (topic.startsWith('$iothub/methods/res/')) this.onMethodResponse(s, topic, payload)
        else {
          this.log(`${s.id}: refused publish on ${topic}: disconnected`)
          return done(new Error(`publish on ${topic} is not allowed`))
        }
      }
    } catch (e) {
      this.log(`${s.id}: ${topic}: ${(e as Error).message}`)
    }
    done(null)
  }

  private onTelemetry(s: Session, topic: string, payload: Buffer): void {
    const rest = topic.slice(`devices/${s.id}/messages/events`.length).replace(/^\//, '')
    const props = parsePropertyBag(rest)
    const system: Record<string, string> = {}
    const application: Record<string, string> = {}
    for (const [k, v] of Object.entries(props)) {
      const name = SYSTEM_PROPERTIES[k]
      if (name) system[name] = v
      else application[k] = v
    }
    const messageId = system['message-id'] ?? randomUUID()
    if (this.state.accepted(s.id, messageId)) {
      this.log(`${s.id}: message ${messageId} again (already accepted): acknowledged, not accepted twice`)
      return
    }
    const now = ts()
    system['message-id'] = messageId
    system['iothub-connection-device-id'] = s.id
    system['iothub-connection-auth-method'] = JSON.stringify({scope: 'device', type: s.authMethod, issuer: 'iothub'})
    system['iothub-enqueuedtime'] = now
    system['iothub-message-source'] = 'Telemetry'
    const m = this.state.accept(s.id, messageId, (seq): HubEvent => ({
      event: {
        origin: s.id,
        module: '',
        interface: system['dt-interface'] ?? '',
        component: application['$.sub'] ?? '',
        payload: decodePayload(payload, system['content-type']),
        properties: {system, application},
        annotations: {
          'iothub-connection-device-id': s.id,
          'iothub-enqueuedtime': now,
          'iothub-message-source': 'Telemetry',
          'x-opt-sequence-number': seq,
          'x-opt-enqueued-time': now,
        },
      },
    }))
    for (const mon of this.monitors) if (!mon.deviceId || mon.deviceId === s.id) mon.send(m)
  }

  private send(s: Session, topic: string, payload: string | Buffer, qos: 0 | 1 = 0): void {
    s.client.publish(
      {
        cmd: 'publish',
        topic,
        payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
        qos,
        retain: false,
        dup: false,
      },
      (e) => {
        if (e) this.log(`${s.id}: could not send on ${topic}: ${e.message}`)
      },
    )
  }

  private onTwinRequest(s: Session, topic: string, payload: Buffer): void {
    const q = topic.indexOf('?')
    const path = q < 0 ? topic : topic.slice(0, q)
    const query = parsePropertyBag(q < 0 ? '' : topic.slice(q + 1))
    const rid = query['$rid'] ?? ''
    const twin = this.state.twin(s.id)
    if (path === '$iothub/twin/GET/') {
      this.send(s, `$iothub/twin/res/200/?$rid=${rid}`, JSON.stringify(deviceTwinDocument(twin)))
      return
    }
    if (path === '$iothub/twin/PATCH/properties/reported/') {
      let patch: unknown
      try {
        patch = JSON.parse(payload.toString('utf8'))
      } catch {
        patch = undefined
      }
      if (!isObject(patch)) {
        this.send(
          s,
          `$iothub/twin/res/400/?$rid=${rid}`,
          JSON.stringify({errorCode: 400004, message: 'The reported patch is not a JSON object.'}),
        )
        return
      }
      const bad = badPropertyName(patch)
      if (bad !== undefined) {
        this.send(
          s,
          `$iothub/twin/res/400/?$rid=${rid}`,
          JSON.stringify({errorCode: 400004, message: `Invalid property name '${bad}'.`}),
        )
        return
      }
      mergePatch(twin.reported, patch)
      twin.reportedVersion++
      this.state.save()
      this.send(s, `$iothub/twin/res/204/?$rid=${rid}&$version=${twin.reportedVersion}`, '')
      return
    }
    this.send(
      s,
      `$iothub/twin/res/400/?$rid=${rid}`,
      JSON.stringify({errorCode: 400001, message: `Unknown twin operation ${path}.`}),
    )
  }

  private onMethodResponse(s: Session, topic: string, payload: Buffer): void {
    const m = /^\$iothub\/methods\/res\/(-?\d+)\/\?(.*)$/.exec(topic) // a device may answer any int, e.g. -1
    if (!m) return
    const rid = parsePropertyBag(m[2]!)['$rid'] ?? ''
    const p = this.methods.get(rid)
    if (!p || p.deviceId !== s.id) return
    this.methods.delete(rid)
    clearTimeout(p.timer)
    const text = payload.toString('utf8')
    let body: unknown = null
    if (text) {
      try {
        body = JSON.parse(text)
      } catch {
        body = text
      }
    }
    p.resolve({status: Number(m[1]), payload: body})
  }

  // ------------------------------------------------------------------------------------------------
  // DPS

  private onDpsPublish(s: Session, topic: string, payload: Buffer): void {
    const q = topic.indexOf('?')
    const path = q < 0 ? topic : topic.slice(0, q)
    const query = parsePropertyBag(q < 0 ? '' : topic.slice(q + 1))
    const rid = query['$rid'] ?? ''
    const answer = (status: number, body: unknown, extra = '') =>
      this.send(s, `$dps/registrations/res/${status}/?$rid=${rid}${extra}`, JSON.stringify(body))
    const error = (status: number, errorCode: number, message: string) =>
      answer(status, {errorCode, trackingId: randomUUID(), message, timestampUtc: ts()})
    if (path === '$dps/registrations/PUT/iotdps-register/') {
      let body: unknown = {}
      const text = payload.toString('utf8')
      if (text) {
        try {
          body = JSON.parse(text)
        } catch {
          return error(400, 400004, 'The registration request is not JSON.')
        }
      }
      const regId = isObject(body) && typeof body['registrationId'] === 'string' ? body['registrationId'] : s.id
      if (regId !== s.id)
        return error(400, 400004, `registrationId '${regId}' is not the registration ID of the connection.`)
      if (!DEVICE_ID_RE.test(regId)) return error(400, 400004, `registrationId '${regId}' is not a valid device ID.`)
      const operationId = `4.${randomBytes(8).toString('hex')}.${randomUUID()}`
      this.assign(s)
      this.dpsOps.set(operationId, {registrationId: regId, done: false})
      answer(202, {operationId, status: 'assigning'}, '&retry-after=1')
      return
    }
    if (path === '$dps/registrations/GET/iotdps-get-operationstatus/') {
      const op = this.dpsOps.get(query['operationId'] ?? '')
      if (!op || op.registrationId !== s.id)
        return error(404, 404201, `Operation '${query['operationId'] ?? ''}' not found.`)
      const r = this.state.registrations[s.id]
      if (!r) return error(404, 404201, `Registration '${s.id}' not found.`)
      op.done = true
      answer(200, {
        operationId: query['operationId'],
        status: 'assigned',
        registrationState: {
          x509: {enrollmentGroupId: r.enrollmentGroupId},
          registrationId: r.registrationId,
          createdDateTimeUtc: r.createdDateTimeUtc,
          assignedHub: this.config.hostName,
          deviceId: r.deviceId,
          status: 'assigned',
          substatus: 'initialAssignment',
          lastUpdatedDateTimeUtc: r.lastUpdatedDateTimeUtc,
          etag: r.etag,
        },
      })
      return
    }
    error(400, 400001, `Unknown provisioning operation ${path}.`)
  }

  /** DPS assigns the device to this hub: its registry entry (CA-signed) is created when missing. */
  private assign(s: Session): void {
    const now = ts()
    const prev = this.state.registrations[s.id]
    this.state.registrations[s.id] = {
      registrationId: s.id,
      deviceId: s.id,
      enrollmentGroupId: s.group?.enrollmentGroupId ?? '',
      createdDateTimeUtc: prev?.createdDateTimeUtc ?? now,
      lastUpdatedDateTimeUtc: now,
      etag: randomBytes(8).toString('hex'),
    }
    if (!this.state.devices[s.id]) {
      this.state.devices[s.id] = this.newIdentity(
        s.id,
        'certificateAuthority',
        null,
        null,
        s.group ? `dps:${s.group.enrollmentGroupId}` : 'dps',
      )
      this.state.twin(s.id)
    }
    this.state.save()
  }

  private newIdentity(
    deviceId: string,
    type: DeviceIdentity['authentication']['type'],
    p: string | null,
    sec: string | null,
    createdBy: string,
  ): DeviceIdentity {
    const now = ts()
    return {
      deviceId,
      generationId: String(BigInt('0x' + randomBytes(7).toString('hex'))),
      etag: randomBytes(6).toString('base64'),
      status: 'enabled',
      authentication: {type, x509Thumbprint: {primaryThumbprint: p, secondaryThumbprint: sec}},
      capabilities: {iotEdge: false},
      connectionState: 'Disconnected',
      connectionStateUpdatedTime: now,
      lastActivityTime: '0001-01-01T00:00:00Z',
      cloudToDeviceMessageCount: 0,
      createdBy,
    }
  }

  // ------------------------------------------------------------------------------------------------
  // The control channel's operations

  status(): HubStatus {
    return {
      running: true,
      pid: process.pid,
      startedAt: this.startedAt,
      endpoint: this.endpoint(),
      controlSocket: hubSocketPath(this.opts.home),
      devices: Object.keys(this.state.devices).length,
      connectedDevices: [...this.sessions.values()].filter((s) => s.kind === 'hub').length,
      enrollmentGroups: Object.keys(this.state.groups).length,
      acceptedMessages: this.state.seq,
    }
  }

  private device(deviceId: string): DeviceIdentity {
    const d = this.state.devices[deviceId]
    if (!d)
      throw new HubError(404, 'HUB_DEVICE_NOT_FOUND', `Device '${deviceId}' is not registered with the local hub.`)
    return d
  }

  listDevices(): DeviceIdentity[] {
    return Object.values(this.state.devices).sort((a, b) => a.deviceId.localeCompare(b.deviceId))
  }

  showDevice(deviceId: string): DeviceIdentity {
    return this.device(deviceId)
  }

  createDevice(deviceId: string, body: Partial<DeviceIdentity>): DeviceIdentity {
    if (!DEVICE_ID_RE.test(deviceId))
      throw new HubError(
        400,
        'HUB_BAD_DEVICE_ID',
        `Device ID '${deviceId}' is not valid: use up to 128 letters, digits or - . % _ * ? ! ( ) , : = @ $ '.`,
      )
    if (this.state.devices[deviceId])
      throw new HubError(409, 'HUB_DEVICE_EXISTS', `Device '${deviceId}' is already registered.`)
    const auth = body.authentication
    const type = auth?.type ?? 'certificateAuthority'
    if (type !== 'selfSigned' && type !== 'certificateAuthority')
      throw new HubError(
        400,
        'HUB_BAD_AUTH',
        `Authentication type '${String(type)}' is not supported: use selfSigned (x509_thumbprint) or certificateAuthority (x509_ca).`,
      )
    const norm = (t: string | null | undefined): string | null => {
      if (t === undefined || t === null || t === '') return null
      const v = t.replace(/:/g, '').toUpperCase()
      if (!/^[0-9A-F]{40}$/.test(v))
        throw new HubError(400, 'HUB_BAD_THUMBPRINT', `Thumbprint '${t}' is not a SHA-1 thumbprint (40 hex digits).`)
      return v
    }
    const p = norm(auth?.x509Thumbprint?.primaryThumbprint)
    const sec = norm(auth?.x509Thumbprint?.secondaryThumbprint)
    if (type === 'selfSigned' && !p)
      throw new HubError(
        400,
        'HUB_BAD_THUMBPRINT',
        `Device '${deviceId}': x509_thumbprint authentication needs a primary thumbprint.`,
      )
    const d = this.newIdentity(
      deviceId,
      type,
      type === 'selfSigned' ? p : null,
      type === 'selfSigned' ? sec : null,
      'cli',
    )
    this.state.devices[deviceId] = d
    this.state.twin(deviceId)
    this.state.save()
    return d
  }

  deleteDevice(deviceId: string): {deviceId: string} {
    this.device(deviceId)
    delete this.state.devices[deviceId]
    delete this.state.twins[deviceId]
    delete this.state.c2d[deviceId]
    delete this.state.registrations[deviceId]
    this.state.save()
    this.sessions.get(deviceId)?.client.close()
    return {deviceId}
  }

  showTwin(deviceId: string): Twin {
    const d = this.device(deviceId)
    const t = this.state.twin(deviceId)
    return {
      deviceId,
      etag: `AAAAAAAAAA${t.desiredVersion + t.reportedVersion}=`,
      version: t.desiredVersion + t.reportedVersion,
      status: d.status,
      authenticationType: d.authentication.type,
      connectionState: this.sessions.get(deviceId)?.kind === 'hub' ? 'Connected' : 'Disconnected',
      tags: t.tags,
      properties: deviceTwinDocument(t) as Twin['properties'],
    }
  }

  updateTwin(deviceId: string, body: {desired?: unknown; tags?: unknown}): Twin {
    this.device(deviceId)
    if (body.desired === undefined && body.tags === undefined)
      throw new HubError(400, 'HUB_BAD_TWIN_PATCH', 'The twin update names neither desired properties nor tags.')
    for (const [side, v] of [
      ['desired', body.desired],
      ['tags', body.tags],
    ] as const) {
      if (v === undefined) continue
      if (!isObject(v)) throw new HubError(400, 'HUB_BAD_TWIN_PATCH', `The ${side} patch is not a JSON object.`)
      const bad = badPropertyName(v)
      if (bad !== undefined) throw new HubError(400, 'HUB_BAD_TWIN_PATCH', `Invalid ${side} property name '${bad}'.`)
    }
    const t = this.state.twin(deviceId)
    if (isObject(body.tags)) mergePatch(t.tags, body.tags)
    if (isObject(body.desired)) {
      mergePatch(t.desired, body.desired)
      t.desiredVersion++
    }
    this.state.save()
    if (isObject(body.desired)) {
      const s = this.sessions.get(deviceId)
      if (s?.kind === 'hub' && s.subscriptions.has('$iothub/twin/PATCH/properties/desired/#')) {
        const patch: JsonObject = {...body.desired, $version: t.desiredVersion}
        this.send(s, `$iothub/twin/PATCH/properties/desired/?$version=${t.desiredVersion}`, JSON.stringify(patch))
      }
    }
    return this.showTwin(deviceId)
  }

  async invokeMethod(
    deviceId: string,
    body: {methodName?: unknown; payload?: unknown; responseTimeoutInSeconds?: unknown},
  ): Promise<MethodResult> {
    this.device(deviceId)
    if (typeof body.methodName !== 'string' || !/^[^/#+?\s]{1,100}$/.test(body.methodName))
      throw new HubError(400, 'HUB_BAD_METHOD', `Method name '${String(body.methodName)}' is not valid.`)
    const timeout = body.responseTimeoutInSeconds === undefined ? 30 : Number(body.responseTimeoutInSeconds)
    if (!Number.isFinite(timeout) || timeout < 5 || timeout > 300)
      throw new HubError(
        400,
        'HUB_BAD_TIMEOUT',
        `Method timeout ${String(body.responseTimeoutInSeconds)} s is out of range (5-300).`,
      )
    const s = this.sessions.get(deviceId)
    if (!s || s.kind !== 'hub' || !s.subscriptions.has('$iothub/methods/POST/#'))
      throw new HubError(
        404,
        'HUB_DEVICE_NOT_ONLINE',
        `Device '${deviceId}' is not online (not connected or not subscribed to direct methods).`,
      )
    const rid = (++this.rid).toString(16)
    return await new Promise<MethodResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.methods.delete(rid)
        reject(
          new HubError(
            504,
            'HUB_METHOD_TIMEOUT',
            `Device '${deviceId}' did not answer method '${String(body.methodName)}' within ${timeout} s.`,
          ),
        )
      }, timeout * 1000)
      this.methods.set(rid, {deviceId, resolve, timer})
      this.send(
        s,
        `$iothub/methods/POST/${body.methodName as string}/?$rid=${rid}`,
        JSON.stringify(body.payload ?? null),
      )
    })
  }

  sendC2d(deviceId: string, body: C2dRequest): {messageId: string} {
    const d = this.device(deviceId)
    if (typeof body?.data !== 'string')
      throw new HubError(400, 'HUB_BAD_C2D', 'The cloud-to-device message has no data.')
    const messageId = body.messageId ?? randomUUID()
    const props: Record<string, string> = {...(body.properties ?? {})}
    props['$.mid'] = messageId
    props['$.to'] = `/devices/${deviceId}/messages/deviceBound`
    if (body.correlationId) props['$.cid'] = body.correlationId
    if (body.contentType) props['$.ct'] = body.contentType
    if (body.contentEncoding) props['$.ce'] = body.contentEncoding
    const q = (this.state.c2d[deviceId] ??= [])
    if (q.length >= 50)
      throw new HubError(
        403,
        'HUB_C2D_QUEUE_FULL',
        `Device '${deviceId}' has 50 cloud-to-device messages waiting (the queue's limit).`,
      )
    q.push({
      messageId,
      topic: `devices/${deviceId}/messages/devicebound/${encodePropertyBag(props)}`,
      payload: body.data,
    })
    d.cloudToDeviceMessageCount = q.length
    this.state.save()
    const s = this.sessions.get(deviceId)
    if (s?.kind === 'hub' && s.subscriptions.has(`devices/${deviceId}/messages/devicebound/#`)) this.flushC2d(s)
    return {messageId}
  }

  private flushC2d(s: Session): void {
    const q = this.state.c2d[s.id]
    if (!q?.length) return
    for (const m of q) this.send(s, m.topic, m.payload, 1)
    this.state.c2d[s.id] = []
    const d = this.state.devices[s.id]
    if (d) d.cloudToDeviceMessageCount = 0
    this.state.save()
  }

  listGroups(): EnrollmentGroup[] {
    return Object.values(this.state.groups)
  }

  createGroup(enrollmentGroupId: string, body: {caPem?: unknown}): EnrollmentGroup {
    if (!/^[A-Za-z0-9\-._]{1,128}$/.test(enrollmentGroupId))
      throw new HubError(
        400,
        'HUB_BAD_GROUP_ID',
        `Enrolment group ID '${enrollmentGroupId}' is not valid: use up to 128 letters, digits, '-', '.' or '_'.`,
      )
    let ca: X509Certificate
    try {
      ca = new X509Certificate(String(body.caPem ?? ''))
    } catch {
      throw new HubError(400, 'HUB_BAD_CA', `Enrolment group '${enrollmentGroupId}': the CA is not a PEM certificate.`)
    }
    if (!ca.ca)
      throw new HubError(
        400,
        'HUB_BAD_CA',
        `Enrolment group '${enrollmentGroupId}': the certificate is not a CA (basicConstraints CA:FALSE).`,
      )
    const existing = this.state.groups[enrollmentGroupId]
    if (existing && existing.caThumbprint === thumbprint(ca)) return existing
    const g: EnrollmentGroup = {
      enrollmentGroupId,
      caThumbprint: thumbprint(ca),
      caSubject: ca.subject.replace(/\n/g, ', '),
      caPem: ca.toString(),
      createdDateTimeUtc: ts(),
    }
    this.state.groups[enrollmentGroupId] = g
    this.state.save()
    return g
  }

  /** Subscribe to accepted telemetry: first what was accepted after `since` (when given), then live. */
  monitor(deviceId: string | undefined, since: number | undefined, send: (m: AcceptedMessage) => void): () => void {
    if (since !== undefined) for (const m of this.state.since(since)) if (!deviceId || m.deviceId === deviceId) send(m)
    const mon = {...(deviceId ? {deviceId} : {}), send}
    this.monitors.add(mon)
    return () => this.monitors.delete(mon)
  }
}

/** Run the service until SIGTERM / SIGINT (the process entry, main.ts). */
export async function runHubService(opts: HubServiceOptions): Promise<void> {
  const svc = new HubService(opts)
  await svc.start()
  let closing = false
  const stop = () => {
    if (closing) return
    closing = true
    stdoutLog('hub: stopping')
    void svc.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}
