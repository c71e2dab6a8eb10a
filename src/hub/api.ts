/**
 * The hub's control routes: the one table both the service (src/hub/control.ts) and the CLI's client
 * (src/hub/client.ts) use, so a path or method is written once. The control channel is HTTP over the
 * hub's Unix socket (`$SPHERE_HOME/hub/control.sock`); bodies are JSON, `stream` routes answer
 * newline-delimited JSON that stays open.
 */
import type {C2dRequest, DeviceIdentity, EnrollmentGroup, HubEvent, HubStatus, MethodResult, Twin} from './types.js'

/** A line of the events stream: the opening line (the last accepted sequence number) or one accepted message. */
export type HubStreamLine = {stream: 'events'; sequence: number} | (HubEvent & {sequence: number})

export type HubMethod = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE'

export interface HubRoute<Req = unknown, Res = unknown> {
  readonly name: string
  readonly method: HubMethod
  /** Literal segments and `{param}` segments. */
  readonly path: string
  readonly stream?: boolean
  /** Query parameters the route reads. */
  readonly query?: readonly string[]
  readonly summary: string
  /** Type carrier only. */
  readonly types?: {request: Req; response: Res}
}

const route =
  <Req, Res>() =>
  (r: Omit<HubRoute<Req, Res>, 'types'>): HubRoute<Req, Res> =>
    r

export const HUB_ROUTES = {
  status: route<undefined, HubStatus>()({
    name: 'hub.status',
    method: 'GET',
    path: '/status',
    summary: 'The service, its endpoint and counts',
  }),
  listDevices: route<undefined, DeviceIdentity[]>()({
    name: 'devices.list',
    method: 'GET',
    path: '/devices',
    summary: 'Registered devices',
  }),
  createDevice: route<Partial<DeviceIdentity> & {deviceId: string}, DeviceIdentity>()({
    name: 'devices.create',
    method: 'PUT',
    path: '/devices/{deviceId}',
    summary: 'Register a device (X.509 thumbprint or CA-signed)',
  }),
  showDevice: route<undefined, DeviceIdentity>()({
    name: 'devices.show',
    method: 'GET',
    path: '/devices/{deviceId}',
    summary: 'One device',
  }),
  deleteDevice: route<undefined, {deviceId: string}>()({
    name: 'devices.delete',
    method: 'DELETE',
    path: '/devices/{deviceId}',
    summary: 'Remove a device',
  }),
  showTwin: route<undefined, Twin>()({
    name: 'twin.show',
    method: 'GET',
    path: '/twins/{deviceId}',
    summary: "A device's twin",
  }),
  updateTwin: route<{desired?: Record<string, unknown>; tags?: Record<string, unknown>}, Twin>()({
    name: 'twin.update',
    method: 'PATCH',
    path: '/twins/{deviceId}',
    summary: 'PATCH desired properties and tags (null removes a key); the device gets the desired patch',
  }),
  invokeMethod: route<{methodName: string; payload: unknown; responseTimeoutInSeconds?: number}, MethodResult>()({
    name: 'methods.invoke',
    method: 'POST',
    path: '/twins/{deviceId}/methods',
    summary: 'Invoke a direct method and wait for its status and payload',
  }),
  sendC2d: route<C2dRequest, {messageId: string}>()({
    name: 'c2d.send',
    method: 'POST',
    path: '/devices/{deviceId}/messages/devicebound',
    summary: 'Send a cloud-to-device message',
  }),
  events: route<undefined, HubStreamLine>()({
    name: 'events.monitor',
    method: 'GET',
    path: '/events',
    stream: true,
    query: ['deviceId', 'since'],
    summary:
      'Device-to-cloud telemetry as it is accepted: a first line {stream, sequence}, then one line per message; since=N first sends those accepted after sequence N',
  }),
  listGroups: route<undefined, EnrollmentGroup[]>()({
    name: 'groups.list',
    method: 'GET',
    path: '/enrollment-groups',
    summary: 'Enrolment groups',
  }),
  createGroup: route<{caPem: string; enrollmentGroupId?: string}, EnrollmentGroup>()({
    name: 'groups.create',
    method: 'PUT',
    path: '/enrollment-groups/{enrollmentGroupId}',
    summary: 'Trust a CA: devices whose certificate it issued register through DPS (device ID = certificate CN)',
  }),
} as const

export type HubRouteName = keyof typeof HUB_ROUTES

/** Fill a route's `{param}` segments. */
export function hubPath(
  r: HubRoute,
  params: Record<string, string> = {},
  query: Record<string, string | number | undefined> = {},
): string {
  const p = r.path.replace(/\{([A-Za-z]+)\}/g, (_, k: string) => {
    const v = params[k]
    if (v === undefined) throw new Error(`route ${r.name}: missing ${k}`)
    return encodeURIComponent(v)
  })
  const q = Object.entries(query).filter(([, v]) => v !== undefined)
  return q.length ? `${p}?${q.map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&')}` : p
}

/** Match a path against a route template; the decoded parameters or undefined. */
export function matchHubPath(r: HubRoute, path: string): Record<string, string> | undefined {
  const a = r.path.split('/')
  const b = path.split('/')
  if (a.length !== b.length) return undefined
  const out: Record<string, string> = {}
  for (let i = 0; i < a.length; i++) {
    const t = a[i]!
    const m = /^\{([A-Za-z]+)\}$/.exec(t)
    if (m) {
      if (!b[i]) return undefined
      try {
        out[m[1]!] = decodeURIComponent(b[i]!)
      } catch {
        return undefined
      }
    } else if (t !== b[i]) return undefined
  }
  return out
}
