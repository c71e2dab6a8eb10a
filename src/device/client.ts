import {
  API,
  buildPath,
  type AddCertRequest,
  type AddWifiNetworkRequest,
  type AnyRoute,
  type RouteParams,
  type RouteRequest,
  type RouteResponse,
} from '../protocol/api/index.js'
import {
  REST_API_VERSION,
  restErrorMessage,
  type SphereEvent,
  type SphereLogEntry,
} from '../protocol/rest-api.js'
import {SphereError} from '../util/errors.js'
import {apiError, describeConnector, deviceRequest, deviceStream, type Connector, type HttpResponse, type RequestOptions} from './http.js'

/** The path parameters of a request (`{componentId}` ...), as strings: what a refusal was about. */
function pathParams(spec: AnyRoute, params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [, name] of spec.path.matchAll(/\{([A-Za-z][A-Za-z0-9]*)\}/g)) if (params[name!] !== undefined) out[name!] = String(params[name!])
  return out
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Validate and normalise a component ID (clients check the format before sending, as azsphere does). */
export function normaliseComponentId(id: string): string {
  const cid = id.trim().toLowerCase().replace(/^\{|\}$/g, '')
  if (!UUID_RE.test(cid)) {
    throw new SphereError('BAD_COMPONENT_ID', `Invalid component ID '${id}': expected a UUID such as 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0.`, {
      exit: 2,
    })
  }
  return cid
}

/** Transport options of one call (the body and its content type come from the route spec). */
export type CallOptions = Pick<RequestOptions, 'timeoutMs' | 'onProgress'>

const {device, apps, images, certstore, network, wifi, sphere} = API

/**
 * Typed calls to one device, real or simulated, over any transport. Every request is built from a route
 * spec (src/protocol/api): `call(spec, params, body)` sends it and returns the spec's response type; the
 * named methods below are the calls commands use. Failures are SphereErrors carrying the device's message.
 */
export class DeviceClient {
  constructor(
    readonly connector: Connector,
    readonly label: string = describeConnector(connector),
  ) {}

  /** Send the request `spec` describes; the raw response (status 200/201 only). */
  private async send(spec: AnyRoute, params: Record<string, unknown>, body: unknown, opts: CallOptions = {}): Promise<HttpResponse> {
    const path = buildPath(spec, params)
    const req: RequestOptions = {...opts}
    if (spec.request !== 'none' && body !== undefined) {
      req.body = body as RequestOptions['body']
      if (spec.request === 'image' || spec.request === 'bytes') req.contentType = 'application/octet-stream'
    }
    const res = await deviceRequest(this.connector, spec.method, path, req)
    if (res.status !== 200 && res.status !== 201) throw apiError(res, spec.method, path, restErrorMessage, pathParams(spec, params))
    return res
  }

  /** One call of the device API, typed by its route spec. */
  async call<S extends AnyRoute>(spec: S, params: RouteParams<S>, body?: RouteRequest<S>, opts?: CallOptions): Promise<RouteResponse<S>> {
    if (spec.response === 'stream') throw new Error(`${spec.name} is a stream: use stream()`)
    const res = await this.send(spec, params as Record<string, unknown>, body, opts)
    if (spec.response === 'bytes') return res.body as RouteResponse<S>
    const text = res.body.toString('utf8')
    try {
      if (spec.response === 'ndjson') return parseNdjson(text) as RouteResponse<S>
      if (text.trim() === '') return {} as RouteResponse<S>
      return JSON.parse(text) as RouteResponse<S>
    } catch {
      throw new SphereError('DEVICE_BAD_RESPONSE', `The device sent a response that is not JSON for ${spec.method} ${spec.path}.`)
    }
  }

  /** Follow a streaming route: `onItem` for each NDJSON line until the response ends or `signal` aborts. */
  stream<S extends AnyRoute>(spec: S, params: RouteParams<S>, onItem: (item: RouteResponse<S>) => void, signal?: AbortSignal): Promise<void> {
    return deviceStream(this.connector, buildPath(spec, params as Record<string, unknown>), (l) => onItem(JSON.parse(l) as RouteResponse<S>), signal)
  }

  // ---- device ----
  async status(opts: CallOptions = {}): Promise<{uptime: number; restApiVersion: string}> {
    const res = await this.send(device.status, {}, undefined, opts)
    const body = JSON.parse(res.body.toString('utf8')) as {uptime: number}
    const v = res.headers['rest-api-version']
    return {uptime: body.uptime, restApiVersion: typeof v === 'string' ? v : REST_API_VERSION}
  }
  /** True when the device answers GET /status. */
  async ping(timeoutMs = 2000): Promise<boolean> {
    try {
      const res = await deviceRequest(this.connector, device.status.method, device.status.path, {timeoutMs})
      return res.status === 200
    } catch {
      return false
    }
  }
  osVersion() {
    return this.call(device.osVersion, {})
  }
  securityState() {
    return this.call(device.securityState, {})
  }
  capabilities() {
    return this.call(device.capabilities, {})
  }
  manufacturingState() {
    return this.call(device.manufacturingState, {})
  }
  setManufacturingState(state: 'Module1Complete' | 'DeviceComplete') {
    return this.call(device.setManufacturingState, {}, {manufacturingState: state})
  }
  restart() {
    return this.call(device.restart, {})
  }
  memoryStats() {
    return this.call(device.memoryStats, {})
  }
  deviceLog(): Promise<Uint8Array> {
    return this.call(device.log, {})
  }
  /** Error-report telemetry (binary); reading does not clear it. */
  telemetry(): Promise<Uint8Array> {
    return this.call(device.telemetry, {})
  }

  // ---- apps and images ----
  appStatus(cid: string) {
    return this.call(apps.appStatus, {componentId: normaliseComponentId(cid)})
  }
  setAppState(cid: string, trigger: 'start' | 'stop' | 'startDebug') {
    return this.call(apps.setAppState, {componentId: normaliseComponentId(cid)}, {trigger})
  }
  appQuota(cid: string) {
    return this.call(apps.appQuota, {componentId: normaliseComponentId(cid)})
  }
  deleteApp(cid: string) {
    return this.call(apps.deleteApp, {componentId: normaliseComponentId(cid)})
  }
  images() {
    return this.call(images.images, {})
  }
  stage(pkg: Uint8Array, onProgress?: (sent: number, total: number) => void) {
    return this.call(images.stage, {}, pkg, {onProgress, timeoutMs: 120_000})
  }
  install(appControlMode: 'Auto' | 'Manual') {
    return this.call(images.install, {}, {appControlMode})
  }

  // ---- certificate store ----
  certificates() {
    return this.call(certstore.certs, {})
  }
  certificate(id: string) {
    return this.call(certstore.cert, {certificateId: id})
  }
  addCertificate(id: string, cert: AddCertRequest) {
    return this.call(certstore.addCert, {certificateId: id}, cert)
  }
  deleteCertificate(id: string) {
    return this.call(certstore.deleteCert, {certificateId: id})
  }
  certificateSpace() {
    return this.call(certstore.certSpace, {})
  }

  // ---- network ----
  networkInterfaces() {
    return this.call(network.interfaces, {})
  }
  networkInterface(name: string) {
    return this.call(network.netInterface, {interfaceName: name})
  }
  setNetworkInterface(name: string, interfaceUp: boolean) {
    return this.call(network.setNetInterface, {interfaceName: name}, {interfaceUp})
  }
  /** Set the MAC address of an Ethernet interface (azsphere `device network update-interface`). */
  updateNetworkInterface(name: string, hardwareAddress: string) {
    return this.call(network.setNetInterface, {interfaceName: name}, {hardwareAddress})
  }
  networkStatus() {
    return this.call(network.netStatus, {})
  }
  firewallRulesets() {
    return this.call(network.firewall, {})
  }
  proxy() {
    return this.call(network.proxy, {})
  }
  setProxy(config: RouteRequest<typeof network.setProxy>) {
    return this.call(network.setProxy, {}, config)
  }
  deleteProxy() {
    return this.call(network.deleteProxy, {})
  }
  /** Turn the configured proxy on or off, keeping the rest of its configuration (proxy enable / disable). */
  async setProxyEnabled(enabled: boolean) {
    const cur = await this.proxy()
    if (!('address' in cur))
      throw new SphereError('PROXY_NOT_CONFIGURED', `No proxy is configured on ${this.label}: configure one with sphere device network proxy apply.`)
    const {username, password, ...rest} = cur
    const body: RouteRequest<typeof network.setProxy> = {...rest, enabled}
    if (cur.authenticationType === 'basic') Object.assign(body, {username, password})
    return this.setProxy(body)
  }

  // ---- Wi-Fi ----
  wifiNetworks() {
    return this.call(wifi.networks, {})
  }
  wifiNetwork(id: number | string) {
    return this.call(wifi.network, {networkId: id})
  }
  addWifiNetwork(config: AddWifiNetworkRequest) {
    return this.call(wifi.addNetwork, {}, config)
  }
  updateWifiNetwork(id: number | string, change: RouteRequest<typeof wifi.updateNetwork>) {
    return this.call(wifi.updateNetwork, {networkId: id}, change)
  }
  forgetWifiNetwork(id: number | string) {
    return this.call(wifi.deleteNetwork, {networkId: id})
  }
  wifiInterface() {
    return this.call(wifi.wifiInterface, {})
  }
  reloadWifiConfig() {
    return this.call(wifi.setWifiInterface, {}, {reloadConfig: true})
  }
  wifiScan() {
    return this.call(wifi.scan, {})
  }
  /** Failed connection attempts of every stored network (show-diagnostics). */
  wifiDiagnostics() {
    return this.call(wifi.diagnostics, {})
  }
  wifiNetworkDiagnostics(id: number | string) {
    return this.call(wifi.networkDiagnostics, {networkId: id})
  }

  // ---- sphere extensions ----
  /** Recover a simulated device (erase, write the shipped OS, reboot); local socket only. */
  recover() {
    return this.call(sphere.recover, {}, undefined, {timeoutMs: 120_000})
  }
  deviceInfo() {
    return this.call(sphere.device, {})
  }
  apps() {
    return this.call(sphere.apps, {})
  }
  appLog(cid: string, since = 0): Promise<SphereLogEntry[]> {
    return this.call(sphere.appLog, {componentId: normaliseComponentId(cid), since})
  }
  followAppLog(cid: string, since: number, onEntry: (e: SphereLogEntry) => void, signal?: AbortSignal): Promise<void> {
    // the spec's response type is the NDJSON line type
    return this.stream(sphere.appLog, {componentId: normaliseComponentId(cid), since, follow: 1}, onEntry as never, signal)
  }
  audit(since = 0) {
    return this.call(sphere.audit, {since})
  }
  events(onEvent: (e: SphereEvent) => void, signal?: AbortSignal): Promise<void> {
    return this.stream(sphere.events, {}, onEvent, signal)
  }
  world() {
    return this.call(sphere.world, {})
  }
  setWorld(set: Record<string, unknown>) {
    return this.call(sphere.setWorld, {}, {set})
  }
  press(button: string, holdMs?: number) {
    return this.call(sphere.press, {}, holdMs === undefined ? {button} : {button, holdMs})
  }
  /** Device capabilities by name and number. */
  deviceCapabilities() {
    return this.call(sphere.deviceCapabilities, {})
  }
  grantCapabilities(capabilities: string[]) {
    return this.call(sphere.changeCapabilities, {}, {capabilities})
  }
  revokeCapabilities(revoke: string[]) {
    return this.call(sphere.changeCapabilities, {}, {revoke})
  }
  /** A capability file for this device, issued and signed by the simulator (local socket only). */
  capabilityFile(capabilities: string[]): Promise<Uint8Array> {
    return this.call(sphere.capabilityFile, {}, {capabilities})
  }
  /** Persist the capabilities of a capability file. */
  applyCapabilityFile(file: Uint8Array) {
    return this.call(sphere.capabilityUpdate, {}, file)
  }
  /** Use a capability file's capabilities until restart (a capability session). */
  startCapabilitySession(file: Uint8Array) {
    return this.call(sphere.capabilitySession, {}, file)
  }
  endCapabilitySession() {
    return this.call(sphere.endCapabilitySession, {})
  }
  deploymentTimeout() {
    return this.call(sphere.deploymentTimeout, {})
  }
  setDeploymentTimeout(timeoutMinutes: number | null) {
    return this.call(sphere.setDeploymentTimeout, {}, {timeoutMinutes})
  }
  /** The least-privilege advisor's report: declared vs used capabilities of an installed app. */
  appCapabilities(cid: string) {
    return this.call(sphere.appCapabilities, {componentId: normaliseComponentId(cid)})
  }
  /** OS image slots and the update history (rollbacks included). */
  updates() {
    return this.call(sphere.updates, {})
  }
  /** Deliver an update as the cloud would (OTA): verified, installed into the other slot on trial. */
  applyUpdate(pkg: Uint8Array) {
    return this.call(sphere.applyUpdate, {}, pkg, {timeoutMs: 120_000})
  }
  /** The device's CA certificate (PEM) that HTTPS clients pin. */
  deviceCa() {
    return this.call(sphere.deviceCa, {})
  }
}

export function parseNdjson<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T)
}
