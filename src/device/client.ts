import {
  PATHS,
  SPHERE_PATHS,
  REST_API_VERSION,
  restErrorMessage,
  type AppQuotaResponse,
  type AppStatusResponse,
  type ImagesResponse,
  type ManufacturingState,
  type MemoryStatsResponse,
  type SphereAppInfo,
  type SphereAuditRecord,
  type SphereCapabilityAudit,
  type SphereUpdateStatus,
  type SphereDeviceInfo,
  type SphereLogEntry,
} from '../protocol/rest-api.js'
import {SphereError} from '../util/errors.js'
import {apiError, describeConnector, deviceRequest, deviceStream, type Connector, type HttpResponse, type RequestOptions} from './http.js'

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

/**
 * Typed calls to one device, real or simulated, over any transport. Every method is one REST request
 * (or a short sequence); failures are SphereErrors carrying the device's error message.
 */
export class DeviceClient {
  constructor(
    readonly connector: Connector,
    readonly label: string = describeConnector(connector),
  ) {}

  async request(method: string, path: string, opts?: RequestOptions): Promise<HttpResponse> {
    const res = await deviceRequest(this.connector, method, path, opts)
    if (res.status !== 200 && res.status !== 201) throw apiError(res, method, path, restErrorMessage)
    return res
  }

  async json<T>(method: string, path: string, opts?: RequestOptions): Promise<T> {
    const res = await this.request(method, path, opts)
    const text = res.body.toString('utf8')
    if (text.trim() === '') return {} as T
    try {
      return JSON.parse(text) as T
    } catch {
      throw new SphereError('DEVICE_BAD_RESPONSE', `The device sent a response that is not JSON for ${method} ${path}.`)
    }
  }

  // ---- device ----
  async status(): Promise<{uptime: number; restApiVersion: string}> {
    const res = await this.request('GET', PATHS.status)
    const body = JSON.parse(res.body.toString('utf8')) as {uptime: number}
    const v = res.headers['rest-api-version']
    return {uptime: body.uptime, restApiVersion: typeof v === 'string' ? v : REST_API_VERSION}
  }
  /** True when the device answers GET /status. */
  async ping(timeoutMs = 2000): Promise<boolean> {
    try {
      const res = await deviceRequest(this.connector, 'GET', PATHS.status, {timeoutMs})
      return res.status === 200
    } catch {
      return false
    }
  }
  securityState(): Promise<{securityState?: string; deviceIdentifier: string; deviceIdentityPublicKey?: string}> {
    return this.json('GET', PATHS.securityState)
  }
  capabilities(): Promise<{device_capabilities: number[]}> {
    return this.json('GET', PATHS.capabilities)
  }
  manufacturingState(): Promise<{manufacturingState: ManufacturingState}> {
    return this.json('GET', PATHS.manufacturingState)
  }
  setManufacturingState(state: 'Module1Complete' | 'DeviceComplete'): Promise<unknown> {
    return this.json('PUT', PATHS.manufacturingState, {body: {manufacturingState: state}})
  }
  restart(): Promise<{restartingSystem: boolean}> {
    return this.json('POST', PATHS.restart)
  }
  memoryStats(): Promise<MemoryStatsResponse> {
    return this.json('GET', PATHS.memoryStats)
  }
  async deviceLog(): Promise<Buffer> {
    return (await this.request('GET', PATHS.log)).body
  }

  // ---- apps ----
  appStatus(cid: string): Promise<AppStatusResponse> {
    return this.json('GET', PATHS.appStatus(normaliseComponentId(cid)))
  }
  setAppState(cid: string, trigger: 'start' | 'stop' | 'startDebug'): Promise<AppStatusResponse> {
    return this.json('PATCH', PATHS.appStatus(normaliseComponentId(cid)), {body: {trigger}})
  }
  appQuota(cid: string): Promise<AppQuotaResponse> {
    return this.json('GET', PATHS.appQuota(normaliseComponentId(cid)))
  }
  deleteApp(cid: string): Promise<unknown> {
    return this.json('DELETE', PATHS.appImage(normaliseComponentId(cid)))
  }
  images(): Promise<ImagesResponse> {
    return this.json('GET', PATHS.images)
  }
  stage(pkg: Uint8Array, onProgress?: (sent: number, total: number) => void): Promise<unknown> {
    return this.json('PUT', PATHS.stage, {body: pkg, contentType: 'application/octet-stream', onProgress, timeoutMs: 120_000})
  }
  install(appControlMode: 'Auto' | 'Manual'): Promise<unknown> {
    return this.json('POST', PATHS.install, {body: {appControlMode}})
  }

  // ---- sphere extensions ----
  deviceInfo(): Promise<SphereDeviceInfo> {
    return this.json('GET', SPHERE_PATHS.device)
  }
  apps(): Promise<SphereAppInfo[]> {
    return this.json('GET', SPHERE_PATHS.apps)
  }
  async appLog(cid: string, since = 0): Promise<SphereLogEntry[]> {
    const res = await this.request('GET', `${SPHERE_PATHS.appLog(normaliseComponentId(cid))}?since=${since}`)
    return parseNdjson<SphereLogEntry>(res.body.toString('utf8'))
  }
  followAppLog(cid: string, since: number, onEntry: (e: SphereLogEntry) => void, signal?: AbortSignal): Promise<void> {
    return deviceStream(
      this.connector,
      `${SPHERE_PATHS.appLog(normaliseComponentId(cid))}?since=${since}&follow=1`,
      (l) => onEntry(JSON.parse(l) as SphereLogEntry),
      signal,
    )
  }
  audit(since = 0): Promise<SphereAuditRecord[]> {
    return this.json('GET', `${SPHERE_PATHS.audit}?since=${since}`)
  }
  events(onEvent: (e: Record<string, unknown>) => void, signal?: AbortSignal): Promise<void> {
    return deviceStream(this.connector, SPHERE_PATHS.events, (l) => onEvent(JSON.parse(l) as Record<string, unknown>), signal)
  }
  world(): Promise<Record<string, unknown>> {
    return this.json('GET', SPHERE_PATHS.world)
  }
  setWorld(set: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.json('PATCH', SPHERE_PATHS.world, {body: {set}})
  }
  press(button: string, holdMs?: number): Promise<Record<string, unknown>> {
    return this.json('POST', SPHERE_PATHS.worldPress, {body: holdMs === undefined ? {button} : {button, holdMs}})
  }
  grantCapabilities(capabilities: string[]): Promise<unknown> {
    return this.json('POST', SPHERE_PATHS.grantCapabilities, {body: {capabilities}})
  }
  deploymentTimeout(): Promise<{timeoutMinutes: number | null}> {
    return this.json('GET', SPHERE_PATHS.deploymentTimeout)
  }
  setDeploymentTimeout(timeoutMinutes: number | null): Promise<{timeoutMinutes: number | null}> {
    return this.json('PUT', SPHERE_PATHS.deploymentTimeout, {body: {timeoutMinutes}})
  }
  /** The least-privilege advisor's report: declared vs used capabilities of an installed app. */
  appCapabilities(cid: string): Promise<SphereCapabilityAudit> {
    return this.json('GET', SPHERE_PATHS.appCapabilities(normaliseComponentId(cid)))
  }
  /** OS image slots and the update history (rollbacks included). */
  updates(): Promise<SphereUpdateStatus> {
    return this.json('GET', SPHERE_PATHS.updates)
  }
}

export function parseNdjson<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T)
}
