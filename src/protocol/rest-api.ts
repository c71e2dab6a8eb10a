/**
 * The device REST API: constants, error codes and JSON shapes shared by the simulator's server
 * (src/os/rest) and the host's DeviceClient (src/device). The endpoints themselves (method, path,
 * request and response types) are the route specs in ./api/. Standard endpoints follow the Azure Sphere
 * device API (see device-rest-api reference); our own extensions live under /sphere/.
 */

/** Header the device sends on GET /status. */
export const REST_API_VERSION = '4.4.0'
/** The address a real board serves the API at over its SLIP service link. */
export const DEVICE_SERVICE_IP = '192.168.35.2'
/** Device capability numbers (GET device/capabilities). */
export const CAPABILITY_IDS = {
  appDevelopment: 11,
  enableRfTestMode: 12,
  fieldServicing: 13,
} as const
export type CapabilityName = keyof typeof CAPABILITY_IDS

/** Error codes (body `{"error": code}`), with the message clients show. */
export const REST_ERRORS = {
  appNotPresent: {code: 14680076, message: 'Application is not present'},
  certNotFound: {code: 38797319, message: 'No certificate with that identifier could be found on the device.'},
  invalidUri: {code: 15728642, message: 'Invalid request URI.'},
  networkNotFound: {code: 13631491, message: 'Network not found'},
  pskTooShort: {code: 13631513, message: 'PSK is too short.'},
  wifiDisabled: {code: 13631506, message: 'Wi-Fi interface is disabled'},
  imageNotStaged: {code: 7340050, message: 'Image could not be staged; check that it is a valid image package'},
  badComponentId: {code: 7340079, message: 'Image has an invalid component ID. Re-package your image and retry.'},
  noSpace: {code: 14680082, message: 'Insufficient free space on the device'},
  appExists: {code: 3145729, message: 'Application already exists on the device'},
  gpioUndefined: {
    code: 5242883,
    message:
      'Application manifest requests a GPIO that is not defined on this device. See https://aka.ms/AzureSphereAppManifest for more information.',
  },
  gpioInUse: {code: 5242884, message: 'Application manifest requests a GPIO that is already in use by another application'},
  manifestParse: {
    code: 2097153,
    message: 'Could not parse application manifest JSON. See https://aka.ms/AzureSphereAppManifest for more information.',
  },
  manifestMissing: {code: 2097177, message: 'Application manifest is missing from image'},
  certStoreFull: {code: 38797323, message: 'Unable to add certificate. Certificate store is out of space.'},
  certTypeInvalid: {code: 38797324, message: "Certificate type is invalid. Certificate type must be 'client' or 'rootca'."},
  networkExists: {code: 13631490, message: 'Network already exists'},
  busy: {code: 10485765, message: 'Device is busy and refused request'},
} as const

/**
 * Ours: the header a simulator adds to a refusal on the standard API with the OS's one-line reason (the body stays
 * exactly `{"error": code}`; real devices do not send it and real clients ignore it).
 */
export const ERROR_DETAIL_HEADER = 'x-sphere-error-detail'

/** Look up the message for an error code a device returned. */
export function restErrorMessage(code: number): string | undefined {
  for (const e of Object.values(REST_ERRORS)) if (e.code === code) return e.message
  return undefined
}

import type {AppStateWord, SchedState, WaitKind} from './app-state.js'
import type {PinActivityFields} from './pin-activity.js'

export type AppState = 'notPresent' | 'running' | 'stopped' | 'debugging'
export type ManufacturingState = 'Blank' | 'Module1Complete' | 'DeviceComplete' | 'Unknown'

export interface StatusResponse {
  uptime: number
}
export interface AppStatusResponse {
  state: AppState
  gdbPort?: number
  outPort?: number
}
export interface AppQuotaResponse {
  UsageKB: number
  LimitKB: number
}
export interface MemoryStatsResponse {
  memoryStats: {currentMemoryUsageInBytes: number; peakUserModeMemoryUsageInBytes: number; userModeMemoryUsageInBytes: number}
}
export interface ImagesResponse {
  is_ota_update_in_progress: boolean
  has_staged_updates: boolean
  restart_required: boolean
  components: {
    uid: string
    image_type: number
    is_update_staged: boolean
    does_image_type_require_restart: boolean
    images: {uid: string; length_in_bytes: number; uncompressed_length_in_bytes: number; replica_type: number}[]
    name?: string
  }[]
}

// ---- /sphere/ extensions (ours) ----

/** One process as the simulator reports it (GET /sphere/apps). */
export interface SphereAppInfo {
  componentId: string
  name: string
  /** The app state word (src/protocol/app-state.ts): running, stopped, crashed, debugging, notPresent, starting. */
  state: AppStateWord
  /** How the scheduler sees its process (`R` runnable, `S` sleeping), null when it has none. */
  sched?: SchedState | null
  /** What a sleeping process waits for. */
  waitingOn?: WaitKind
  /** Why the last run ended, when it crashed (a trap, a signal, a non-zero exit) or the OS gave up restarting it. */
  crashReason?: string
  pid: number | null
  uid: number
  memory: {currentBytes: number; peakBytes: number; limitBytes: number}
  restarts: number
  cpuShare: number
  /** Capabilities the manifest declares, one entry per value: `Gpio:8`, `AllowedConnections:example.com`, `MutableStorage`. */
  capabilities: string[]
  /** The subset the LSM has seen the app use (same form). */
  usedCapabilities?: string[]
  /** What the app holds on the host side of the OS, each with the limit enforced (fds, sockets, buffers, log). */
  host?: {
    fds: {used: number; limit: number}
    sockets: {used: number; limit: number}
    bufferBytes: {used: number; peak: number; limit: number}
    logBytes: {used: number; limit: number}
  }
}

/** GET /sphere/device */
export interface SphereDeviceInfo {
  deviceId: string
  osVersion: string
  uptime: number
  capabilities: CapabilityName[] | string[]
  manufacturingState: ManufacturingState
  clock: {mode: 'realtime' | 'fast-forward'; virtualTimeMs: number; speed: number}
  name?: string
  transport?: string
  /** Each app's Azure IoT connection (absent until an app creates an IoT Hub or DPS client). */
  cloud?: SphereCloudState[]
}

/** An app's cloud connection, as the OS's Azure IoT library last reported it (the monitor's header). */
export interface SphereCloudState {
  state: 'connected' | 'connecting' | 'retrying' | 'disconnected'
  /** The hub's (or DPS's) host name. */
  host: string
  /** The C SDK's IOTHUB_CLIENT_CONNECTION_STATUS_REASON name of the last change (e.g. COMMUNICATION_ERROR). */
  reason: string
  /** Wall-clock milliseconds of the change. */
  since: number
  componentId: string
}

export interface SphereLogEntry {
  seq: number
  time: number
  stream: 'stdout' | 'stderr' | 'system'
  text: string
}

export interface SphereAuditRecord {
  seq: number
  time: number
  subject: string
  operation: string
  object: string
  allowed: boolean
  reason: string
  /** Identical denials folded into this record (absent: one). */
  count?: number
  /** Recorded in an earlier boot (restored from the device's persisted tail of denials). */
  previousBoot?: boolean
}

/** GET /sphere/apps/{cid}/capabilities: declared vs used manifest capabilities, and a tightened manifest. */
export interface SphereCapabilityAudit {
  componentId: string
  name: string
  imageId: string
  /** Declared entries: `Key` (booleans, MutableStorage) or `Key:value` (one per list entry, e.g. `Gpio:8`). */
  declared: string[]
  used: string[]
  /** Declared but never used since `since`. */
  unused: string[]
  /** Declared entries the device cannot observe (reported, never called unused). */
  untracked: string[]
  since: string
  suggestedManifest: Record<string, unknown>
}

/** GET /sphere/updates */
export interface SphereUpdateStatus {
  osVersion: string
  os: {active: string; slots: Record<string, {version: string}>; pending?: {slot: string; attempts: number}; rolledBackFrom?: {version: string; at: string; reason: string}}
  history: {time: string; kind: 'app' | 'os'; action: string; componentId?: string; imageId?: string; version?: string; detail?: string}[]
}

/** The board as the world model shows it (GET /sphere/world, and in events). */
export interface SphereWorldState {
  /** The device's virtual clock (ms since boot) when this state was read: the `now` for the pins' activity. */
  virtualTimeMs?: number
  /** Each LED with its level and activity (src/protocol/pin-activity.ts); `blinkHz` as of `virtualTimeMs`. */
  leds: ({name: string; gpio: number; on: boolean; color: string; blinkHz?: number | null} & Partial<PinActivityFields>)[]
  /** `presses`: how many times it went down since the world was made. */
  buttons: {name: string; gpio: number; pressed: boolean; presses?: number}[]
  gpios: ({id: number; level: 0 | 1; direction: 'in' | 'out' | 'unused'; owner?: string; blinkHz?: number | null} &
    Partial<PinActivityFields>)[]
  [extra: string]: unknown
}

/**
 * One line of the NDJSON event stream at GET /sphere/events. The first line is always a `snapshot`;
 * later lines are pushed when something changes (never polled by the client). A `heartbeat` is sent
 * at least every 5 s so clients can detect a dead link.
 */
export type SphereEvent =
  | {type: 'snapshot'; time: number; device: SphereDeviceInfo; apps: SphereAppInfo[]; world: SphereWorldState}
  | {type: 'device'; time: number; device: SphereDeviceInfo}
  | {type: 'apps'; time: number; apps: SphereAppInfo[]}
  | {type: 'audit'; time: number; record: SphereAuditRecord}
  | {type: 'log'; time: number; componentId: string; entry: SphereLogEntry}
  | {type: 'world'; time: number; world: SphereWorldState}
  | {type: 'heartbeat'; time: number}
