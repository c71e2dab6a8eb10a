/**
 * The fleet shard protocol, shared by a shard process (src/fleet) and the host side (src/device, the fleet
 * commands). A shard serves one Unix socket for all of its devices. Each connection starts with one line,
 *
 *   SPHERE-FLEET <target>\n
 *
 * where <target> is a member's fleet index (`17`), its 128-hex device ID, or `control`; the rest of the
 * connection is HTTP/1.1: the device REST API of that member (the same route specs and handlers as a single
 * simulator), or the shard's control API below. An unknown target is answered with one HTTP 404 and closed.
 *
 * Devices are assigned to shards by index (index mod count), and everything a device is or does is derived
 * from the fleet's seed and its index alone (its device ID, its faults, its place in a rollout), so K shards
 * give the same per-device results as one.
 */
import {createHash} from 'node:crypto'

export const FLEET_PREAMBLE = 'SPHERE-FLEET'
/** Longest first line a shard reads before it gives up on a connection. */
export const FLEET_PREAMBLE_MAX = 160
export const FLEET_CONTROL_TARGET = 'control'

/** The control API of one shard (paths; every body is JSON). */
export const SHARD_API = {
  /** GET: the shard and its members. */
  members: '/fleet/members',
  /** GET /fleet/member/<index or device ID> -> MemberSummary (404: not in this shard). */
  member: '/fleet/member/',
  /** POST UpdateRequest -> UpdateResult[]: deliver an image package to some members over the air and soak. */
  update: '/fleet/update',
  /** POST TagRequest -> {changed}: add or remove a tag on some members. */
  tag: '/fleet/tag',
  /** POST {ms} -> {virtualTimeMs}: run every member's virtual clock forward. */
  advance: '/fleet/advance',
  /** POST -> {devices}: wipe every member back to its first boot (the fleet's image package installed). */
  reset: '/fleet/reset',
} as const

export interface ShardInfo {
  index: number
  count: number
  fleetSize: number
  seed: string
}

export interface MemberApp {
  componentId: string
  name: string
  imageId: string
  /** The app's version: the build date in its image's metadata (Unix seconds). */
  version: number
  state: string
}

export interface MemberSummary {
  index: number
  deviceId: string
  osVersion: string
  apps: MemberApp[]
  tags: string[]
  faults: string[]
  /** Crashes seen since the member booted (all apps). */
  crashes: number
  /** The outcome of the last update this member was given, if any. */
  lastUpdate?: UpdateOutcome
}

export interface MembersResponse {
  shard: ShardInfo
  members: MemberSummary[]
}

export interface UpdateRequest {
  /** Fleet indices (members of other shards are refused). */
  devices: number[]
  /** The image package, base64. */
  package: string
  /** Virtual time each member runs after the install before it is judged. */
  soakMs: number
  /** Distinguishes the delivery attempts of one rollout from another's (flaky links). */
  rollout: string
}

export type UpdateOutcome = 'healthy' | 'crashed' | 'rolled-back' | 'unreachable' | 'refused'

export interface UpdateResult {
  index: number
  deviceId: string
  outcome: UpdateOutcome
  /** The member crashed (any app of the component) during the soak. */
  crashed: boolean
  /** The device restored its previous image by itself (A/B rollback). */
  rolledBack: boolean
  /** The power was cut during the install (the update was retried when the device came back). */
  powerLost: boolean
  /** Delivery attempts over the member's link. */
  attempts: number
  /** The image the component runs after the soak, and its state. */
  imageId?: string
  state?: string
  /** Why a refused update was refused (one line). */
  error?: string
}

/** Health rule metrics of a rollout (src/fleet/rollout.ts). */
export type Metric = 'crashRate' | 'rollbackRate' | 'failureRate' | 'unreachableRate' | 'crashes' | 'rollbacks' | 'failures' | 'unreachable'

/** Outcome counts of a rollout (a stage, or the whole). */
export interface Totals {
  targeted: number
  updated: number
  healthy: number
  crashed: number
  rolledBack: number
  powerLost: number
  unreachable: number
  refused: number
}

/** A rollout as a watcher sees it: `fleet deploy` writes it to <fleet>/rollout.json after every stage. */
export interface RolloutState {
  image: {componentId: string; imageId: string}
  rule: string
  stages: number[]
  /** The stage under way or last done (1-based; 0 before the first). */
  stage: number
  result: 'running' | 'completed' | 'halted'
  totals: Totals
  metric: {name: Metric; value: number}
  eligible: number
  updatedAt: string
}

export interface TagRequest {
  devices: number[]
  tag: string
  remove?: boolean
}

export const TAG_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,62}$/
export const FLEET_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/

/** The shard that holds a member. */
export function shardOf(index: number, count: number): number {
  return index % count
}

/** How many members shard `index` of `count` holds in a fleet of `size` (the indices i < size with i mod count = index). */
export function shardSize(index: number, count: number, size: number): number {
  return index < size ? Math.floor((size - 1 - index) / count) + 1 : 0
}

/** A member's device ID: from the fleet's seed and its index only. */
export function fleetDeviceId(seed: string, index: number): string {
  return createHash('sha512').update(`sphere-fleet:${seed}:${index}`).digest('hex')
}

/** A number in [0, 1) from the seed and a key: the same everywhere (shards, runs). */
export function seededUnit(seed: string, ...key: (string | number)[]): number {
  const h = createHash('sha256').update(`${seed}\u0000${key.join('\u0000')}`).digest()
  return h.readUInt32BE(0) / 2 ** 32
}

/** Counts over a fleet's members, as `fleet status` and `fleet monitor` show them. */
export interface FleetAggregate {
  devices: number
  byOsVersion: Record<string, number>
  /** `<app name> <version>` (the build date of its image) -> devices running or holding it. */
  byAppVersion: Record<string, number>
  /** App state word (running, crashed, stopped, ...) -> apps in it; `no-app` for devices without one. */
  byState: Record<string, number>
  byLastUpdate: Record<string, number>
  faults: Record<string, number>
  tags: Record<string, number>
  /** The devices with the most crashes (at most 10), worst first. */
  worst: {index: number; deviceId: string; crashes: number; state: string}[]
}

const bump = (m: Record<string, number>, k: string): void => void (m[k] = (m[k] ?? 0) + 1)

export function aggregateMembers(members: readonly MemberSummary[]): FleetAggregate {
  const a: FleetAggregate = {devices: members.length, byOsVersion: {}, byAppVersion: {}, byState: {}, byLastUpdate: {}, faults: {}, tags: {}, worst: []}
  for (const m of members) {
    bump(a.byOsVersion, m.osVersion)
    if (m.apps.length === 0) bump(a.byState, 'no-app')
    for (const app of m.apps) {
      bump(a.byAppVersion, `${app.name} ${app.version}`)
      bump(a.byState, app.state)
    }
    if (m.lastUpdate) bump(a.byLastUpdate, m.lastUpdate)
    for (const f of m.faults) bump(a.faults, f)
    for (const t of m.tags) bump(a.tags, t)
  }
  a.worst = members
    .filter((m) => m.crashes > 0 || m.apps.some((x) => x.state === 'crashed'))
    .sort((x, y) => y.crashes - x.crashes || x.index - y.index)
    .slice(0, 10)
    .map((m) => ({index: m.index, deviceId: m.deviceId, crashes: m.crashes, state: m.apps.map((x) => x.state).join(',') || 'no-app'}))
  return a
}
