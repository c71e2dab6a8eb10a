/**
 * The least-privilege advisor: compares what an app's manifest declares with what the LSM saw it use
 * (allowed checks, recorded per app and persisted so a restart keeps the history) and suggests a manifest
 * without the capabilities it never used.
 */
import type {Lsm} from '../lsm/lsm.js'
import {MONITORED_CAPABILITIES} from '../lsm/lsm.js'
import type {AppManifest, ManifestCapabilities} from '../lsm/policy.js'
import type {UsageStore} from '../storage/usage-store.js'

export interface CapabilityAuditReport {
  componentId: string
  name: string
  imageId: string
  /** Every declared capability entry, as `Key` (booleans, MutableStorage) or `Key:value` (list entries). */
  declared: string[]
  /** Declared and used. */
  used: string[]
  /** Declared but never used since `since`: candidates to remove. */
  unused: string[]
  /** Declared entries the OS cannot observe (not ruled on by the LSM), neither used nor unused. */
  untracked: string[]
  /** When the usage record started (ISO time): the observation window is since then. */
  since: string
  /** The manifest without the unused entries. */
  suggestedManifest: AppManifest
}

/** Keys of list capabilities whose values compare case-insensitively (host names, component IDs). */
const FOLDED = new Set(['AllowedConnections', 'AllowedApplicationConnections'])

function entryKey(key: string, v: unknown): string {
  const s = String(v)
  return `${key}:${FOLDED.has(key) ? s.toLowerCase() : s}`
}

/** The declared capability entries of a manifest. */
export function declaredCapabilities(m: AppManifest): string[] {
  const out: string[] = []
  for (const [key, v] of Object.entries(m.Capabilities ?? {})) {
    if (Array.isArray(v)) for (const x of v) out.push(entryKey(key, x))
    else if (v === true) out.push(key)
    else if (key === 'MutableStorage' && v && typeof v === 'object') out.push(key)
    else if (v !== false && v !== null && v !== undefined) out.push(key) // e.g. DeviceAuthentication: "<tenant>"
  }
  return out
}

const keyOf = (entry: string): string => entry.split(':', 1)[0]!

/** Build the report for one installed app from its manifest and used-capability set. */
export function auditCapabilities(
  app: {componentId: string; name: string; imageId: string; manifest: AppManifest},
  usedSet: readonly string[],
  since: string,
): CapabilityAuditReport {
  const declared = declaredCapabilities(app.manifest)
  const used = new Set(usedSet)
  const monitored = new Set(MONITORED_CAPABILITIES)
  const untracked = declared.filter((d) => !monitored.has(keyOf(d)))
  const tracked = declared.filter((d) => monitored.has(keyOf(d)))
  const unused = tracked.filter((d) => !used.has(d))
  return {
    componentId: app.componentId,
    name: app.name,
    imageId: app.imageId,
    declared,
    used: tracked.filter((d) => used.has(d)),
    unused,
    untracked,
    since,
    suggestedManifest: tighten(app.manifest, new Set(unused)),
  }
}

/** A copy of the manifest without the given entries (empty lists and unused objects are dropped). */
export function tighten(m: AppManifest, remove: ReadonlySet<string>): AppManifest {
  const caps: ManifestCapabilities = {}
  for (const [key, v] of Object.entries(m.Capabilities ?? {})) {
    if (Array.isArray(v)) {
      const kept = v.filter((x) => !remove.has(entryKey(key, x)))
      if (kept.length > 0) caps[key] = kept
    } else if (!remove.has(key)) caps[key] = v
  }
  return {...JSON.parse(JSON.stringify(m)), Capabilities: caps} as AppManifest
}

/**
 * Keeps the LSM's used-capability record on disk: restored at boot, written when an app uses a capability
 * for the first time, started afresh when a new image of the app is installed, removed on uninstall.
 */
export class CapabilityUsage {
  /** componentId -> the tracked image and when its observation started. */
  private readonly images = new Map<string, {imageId: string; since: string}>()

  constructor(
    private readonly lsm: Lsm,
    private readonly store: UsageStore,
  ) {
    lsm.onFirstUse((cid, used) => {
      const t = this.images.get(cid)
      if (t) this.store.write({componentId: cid, imageId: t.imageId, used, since: t.since})
    })
  }

  /**
   * An installed image (at boot or install): keep its record, or start a new one for a new image (written
   * at its first use, so an install costs no extra write).
   */
  track(componentId: string, imageId: string): void {
    const cid = componentId.toLowerCase()
    const r = this.store.read(cid)
    if (r?.imageId === imageId) {
      this.images.set(cid, {imageId, since: r.since})
      this.lsm.restoreUsed(cid, r.used)
    } else {
      this.images.set(cid, {imageId, since: new Date().toISOString()})
      this.lsm.restoreUsed(cid, [])
      if (r) this.store.delete(cid)
    }
  }

  forget(componentId: string): void {
    const cid = componentId.toLowerCase()
    this.images.delete(cid)
    this.store.delete(cid)
  }

  since(componentId: string): string {
    return this.images.get(componentId.toLowerCase())?.since ?? new Date(0).toISOString()
  }
}
