import {createHash, randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../../util/atomic-file.js'
import {SphereError} from '../../util/errors.js'
import type {AppManifest, DeviceCapability, ManufacturingState} from '../lsm/policy.js'

/**
 * The device's persistent state under its state directory. Every file is replaced atomically
 * (temp + fsync + rename), and an install commits by rewriting apps.json after the image file is durable,
 * so a kill -9 at any moment leaves the old or the new state:
 *
 *   device.json            identity, manufacturing state, device capabilities
 *   apps.json              installed apps (the commit point of install / uninstall)
 *   images/<imageId>.img   one file per installed image (manifest + files), sha256 in apps.json
 *   staged/<cid>.pkg       the image package staged for each component (see "staging" below)
 *   storage/<cid>.bin      each app's mutable storage file
 *   logs/<cid>.log         each app's output
 *   cache/                 instrumented app binaries (derived data, safe to delete)
 */

export type {ManufacturingState}

export interface DeviceIdentity {
  /** 128 hex characters, stable for the life of the state directory. */
  deviceId: string
  manufacturingState: ManufacturingState
  capabilities: DeviceCapability[]
  bootCount: number
}

/** An image as the app manager installs it (an unpacked, verified image package). */
export interface StoredImage {
  componentId: string
  imageId: string
  manifest: AppManifest
  files: Map<string, Uint8Array>
}

/** One image slot of an app: where its image file is and what it holds. */
export interface SlotRecord {
  imageId: string
  name: string
  /** File name under images/. */
  file: string
  sha256: string
  sizeBytes: number
  /**
   * The image's version for downgrade protection: the build date (Unix seconds) of its Debug metadata
   * section, which the SDK stamps at every build. Absent for images installed unpacked (tests, old state).
   */
  version?: number
}

export interface InstalledAppRecord extends SlotRecord {
  componentId: string
  uid: number
  autostart: boolean
  /**
   * A/B: the other slot, the image this one replaced. Its file is kept (never garbage-collected) so a new
   * image that fails to start can be rolled back to it.
   */
  previous?: SlotRecord
  /** Set while the active image is on trial (installed over `previous`, not yet proven): starts so far. */
  trial?: {attempts: number}
  /** Set after an automatic rollback: the image that failed and why. */
  rolledBackFrom?: {imageId: string; at: string; reason: string}
}

/** A staged package (StateStore.stagedEntries). componentId is undefined for files of older builds. */
export interface StagedEntry {
  name: string
  componentId?: string
  sizeBytes: number
}

function stagedId(componentId: string): string {
  const cid = componentId.toLowerCase()
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(cid))
    throw new SphereError(
      'IMAGE_BAD_COMPONENT_ID',
      `cannot stage a package for ${JSON.stringify(componentId).slice(0, 60)}: not a component ID`,
    )
  return cid
}

/** The slot fields of a record. */
export function slotOf(r: SlotRecord): SlotRecord {
  return {
    imageId: r.imageId,
    name: r.name,
    file: r.file,
    sha256: r.sha256,
    sizeBytes: r.sizeBytes,
    ...(r.version !== undefined ? {version: r.version} : {}),
  }
}

const MAGIC = new TextEncoder().encode('SPHIMG1\0')

export function encodeImage(img: StoredImage): Uint8Array {
  const names = [...img.files.keys()].sort()
  const header = new TextEncoder().encode(
    JSON.stringify({
      componentId: img.componentId,
      imageId: img.imageId,
      manifest: img.manifest,
      files: names.map((n) => ({name: n, length: img.files.get(n)!.length})),
    }),
  )
  const total = MAGIC.length + 4 + header.length + names.reduce((n, k) => n + img.files.get(k)!.length, 0)
  const out = new Uint8Array(total)
  out.set(MAGIC, 0)
  new DataView(out.buffer).setUint32(MAGIC.length, header.length, true)
  out.set(header, MAGIC.length + 4)
  let off = MAGIC.length + 4 + header.length
  for (const n of names) {
    out.set(img.files.get(n)!, off)
    off += img.files.get(n)!.length
  }
  return out
}

export function decodeImage(bytes: Uint8Array): StoredImage {
  const bad = (): SphereError => new SphereError('STATE_CORRUPT', 'a stored image is damaged')
  if (bytes.length < MAGIC.length + 4 || !MAGIC.every((b, i) => bytes[i] === b)) throw bad()
  const hlen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length, true)
  let header: {componentId: string; imageId: string; manifest: AppManifest; files: {name: string; length: number}[]}
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + hlen)))
  } catch {
    throw bad()
  }
  const files = new Map<string, Uint8Array>()
  let off = MAGIC.length + 4 + hlen
  for (const f of header.files) {
    if (off + f.length > bytes.length) throw bad()
    files.set(f.name, bytes.slice(off, off + f.length))
    off += f.length
  }
  return {componentId: header.componentId, imageId: header.imageId, manifest: header.manifest, files}
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

/*
 * Integrity. Every file the store owns is checked when it is read, so a truncated or bit-flipped file is
 * reported (STATE_CORRUPT) and never silently used:
 *   device.json, apps.json   an "integrity" member: sha256 of the compact JSON of the other members
 *   storage/<cid>.bin        a 40-byte header: "SPHMUT1\0" + sha256 of the data
 *   images/*.img             sha256 in apps.json (as before)
 *   format                   "sphere-state 2": the directory uses the rules above. A directory without it
 *                            (made by an older build) is upgraded in place by open(): unsealed files are
 *                            accepted once and sealed, then the marker is written.
 * Logs (logs/*.log) are the apps' own output, shown but never trusted for a decision; they are not sealed.
 */
const FORMAT_FILE = 'format'
const FORMAT_TEXT = 'sphere-state 2\n'
const MUT_MAGIC = new TextEncoder().encode('SPHMUT1\0')
const MUT_HEADER = MUT_MAGIC.length + 32

const corrupt = (what: string): SphereError =>
  new SphereError('STATE_CORRUPT', `device state file ${what}`, {
    suggestions: [
      'Reset the simulated device (sphere sim reset), or move its state directory away to keep it for inspection',
    ],
  })

/** JSON with an integrity member over the rest (compact JSON, member order as written). */
export function sealJson(obj: object): string {
  const {integrity: _drop, ...rest} = obj as Record<string, unknown>
  void _drop
  return JSON.stringify(
    {...rest, integrity: `sha256:${sha256(new TextEncoder().encode(JSON.stringify(rest)))}`},
    null,
    2,
  )
}

/** Parse a sealed JSON file; `legacy` accepts a file without the member (a directory being upgraded). */
export function unsealJson<T>(text: string, file: string, legacy: boolean): T {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    throw corrupt(`${file} cannot be read (not JSON: truncated or damaged)`)
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw corrupt(`${file} is not a JSON object`)
  const {integrity, ...rest} = v as Record<string, unknown>
  if (integrity === undefined && legacy) return rest as T
  const want = `sha256:${sha256(new TextEncoder().encode(JSON.stringify(rest)))}`
  if (integrity !== want) throw corrupt(`${file} fails its integrity check (damaged or edited by hand)`)
  return rest as T
}

export function sealMutable(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(MUT_HEADER + data.length)
  out.set(MUT_MAGIC, 0)
  out.set(createHash('sha256').update(data).digest(), MUT_MAGIC.length)
  out.set(data, MUT_HEADER)
  return out
}

export function unsealMutable(bytes: Uint8Array, file: string, legacy: boolean): Uint8Array {
  const magic = bytes.length >= MUT_HEADER && MUT_MAGIC.every((b, i) => bytes[i] === b)
  if (!magic) {
    if (legacy) return bytes
    throw corrupt(`${file} has no storage header (truncated or damaged)`)
  }
  const data = bytes.subarray(MUT_HEADER)
  const sum = createHash('sha256').update(data).digest()
  if (!sum.equals(Buffer.from(bytes.buffer, bytes.byteOffset + MUT_MAGIC.length, 32)))
    throw corrupt(`${file} fails its integrity check (damaged)`)
  return data.slice()
}

export class StateStore {
  readonly root: string
  readonly cacheDir: string

  private constructor(root: string, cacheDir?: string) {
    this.root = root
    this.cacheDir = cacheDir ?? join(root, 'cache')
  }

  /** Open (creating) a state directory and clean up what an interrupted write left behind. */
  static open(root: string, opts: {cacheDir?: string} = {}): StateStore {
    const s = new StateStore(root, opts.cacheDir)
    // a directory made now has nothing to recover, collect or upgrade (a fleet opens thousands of them)
    const fresh = !existsSync(root)
    for (const d of ['images', 'staged', 'storage', 'logs']) mkdirSync(join(root, d), {recursive: true})
    mkdirSync(s.cacheDir, {recursive: true})
    if (fresh) {
      writeFileAtomic(s.path(FORMAT_FILE), FORMAT_TEXT)
      return s
    }
    s.recoverClaims()
    s.collectGarbage()
    s.upgradeFormat()
    return s
  }

  /** Set while the directory has no format marker (made by an older build): unsealed files are accepted. */
  private legacy = false

  /** A directory without the format marker: seal what an older build wrote, then write the marker. */
  private upgradeFormat(): void {
    const marker = this.path(FORMAT_FILE)
    if (existsSync(marker)) return
    this.legacy = true
    try {
      const id = this.readJson<DeviceIdentity>(this.path('device.json'))
      if (id) this.writeIdentity(id)
      const apps = this.readJson<{apps: InstalledAppRecord[]}>(this.path('apps.json'))
      if (apps) this.commitRegistry(apps.apps)
      for (const f of readdirSync(this.path('storage'))) {
        if (!f.endsWith('.bin')) continue
        const cid = f.slice(0, -4)
        const data = this.readMutable(cid)
        if (data) this.writeMutable(cid, data)
      }
    } catch {
      return // a damaged legacy file: leave everything as it is, verify() reports it
    }
    writeFileAtomic(marker, FORMAT_TEXT)
    this.legacy = false
  }

  private path(...p: string[]): string {
    return join(this.root, ...p)
  }

  private readJson<T>(file: string): T | undefined {
    if (!existsSync(file)) return undefined
    return unsealJson<T>(readFileSync(file, 'utf8'), file, this.legacy)
  }

  // ---- identity -----------------------------------------------------------------------------------

  /** The identity, created on first boot; bootCount is incremented and saved by `bootIdentity`. */
  bootIdentity(defaults: {capabilities: DeviceCapability[]}): DeviceIdentity {
    const file = this.path('device.json')
    const cur = this.readJson<DeviceIdentity>(file) ?? {
      deviceId: randomBytes(64).toString('hex'),
      manufacturingState: 'Blank' as ManufacturingState,
      capabilities: defaults.capabilities,
      bootCount: 0,
    }
    const next = {...cur, bootCount: cur.bootCount + 1}
    writeFileAtomic(file, sealJson(next))
    return next
  }

  writeIdentity(id: DeviceIdentity): void {
    writeFileAtomic(this.path('device.json'), sealJson(id))
  }

  // ---- installed images -------------------------------------------------------------------------------

  registry(): InstalledAppRecord[] {
    return this.readJson<{apps: InstalledAppRecord[]}>(this.path('apps.json'))?.apps ?? []
  }

  /** The commit point: atomically replace the list of installed apps. */
  commitRegistry(apps: InstalledAppRecord[]): void {
    writeFileAtomic(this.path('apps.json'), sealJson({version: 1, apps}))
  }

  /** Write an image file (durable before it is referenced). Returns where and its hash. */
  writeImage(img: StoredImage): {file: string; sha256: string; sizeBytes: number} {
    const bytes = encodeImage(img)
    const hash = sha256(bytes)
    const file = `${img.imageId}-${hash.slice(0, 12)}.img`
    writeFileAtomic(this.path('images', file), bytes)
    return {file, sha256: hash, sizeBytes: bytes.length}
  }

  readImage(rec: SlotRecord): StoredImage {
    const bytes = new Uint8Array(readFileSync(this.path('images', rec.file)))
    if (sha256(bytes) !== rec.sha256)
      throw new SphereError('STATE_CORRUPT', `the stored image of ${rec.name} does not match its hash`)
    return decodeImage(bytes)
  }

  /** Delete image files no record references and temp files of interrupted writes. */
  collectGarbage(): void {
    let referenced: Set<string>
    try {
      referenced = new Set(this.registry().flatMap((r) => (r.previous ? [r.file, r.previous.file] : [r.file])))
    } catch {
      return // a corrupt registry is reported by verify(), never "repaired" by deleting images
    }
    for (const d of ['images', 'staged', 'storage', 'logs', 'audit', 'cache', '.']) {
      const dir = this.path(d)
      if (!existsSync(dir)) continue
      for (const f of readdirSync(dir)) {
        const full = join(dir, f)
        if (f.startsWith('.') && f.endsWith('.tmp')) rmSync(full, {force: true})
        else if (d === 'images' && f.endsWith('.img') && !referenced.has(f)) rmSync(full, {force: true})
      }
    }
  }

  /** Problems found in the state (empty = consistent). Used by tests and `sim` diagnostics. */
  verify(): string[] {
    const problems: string[] = []
    let recs: InstalledAppRecord[] = []
    const marker = this.path(FORMAT_FILE)
    if (existsSync(marker) && readFileSync(marker, 'utf8') !== FORMAT_TEXT)
      problems.push(`device state file ${marker} is damaged`)
    try {
      this.readJson(this.path('device.json'))
    } catch (e) {
      problems.push((e as Error).message)
    }
    try {
      recs = this.registry()
    } catch (e) {
      return [...problems, (e as Error).message]
    }
    for (const f of readdirSync(this.path('storage'))) {
      if (!f.endsWith('.bin')) continue
      try {
        this.readMutable(f.slice(0, -4))
      } catch (e) {
        problems.push((e as Error).message)
      }
    }
    for (const r of recs) {
      for (const slot of r.previous ? [r, r.previous] : [r]) {
        try {
          const img = this.readImage(slot)
          if (img.componentId !== r.componentId) problems.push(`${slot.file}: component mismatch`)
        } catch (e) {
          problems.push(`${r.componentId}: ${(e as Error).message}`)
        }
      }
    }
    return problems
  }

  // ---- staging ----------------------------------------------------------------------------------------
  //
  // One staged package per component, staged/<componentId>.pkg: staging a component again replaces its
  // package (the device installs the latest). An install claims a package by renaming it to
  // <componentId>.<random>.installing (atomic, so two installs never take the same one) and deletes the claim
  // once installed; a claim a kill -9 left behind is staged again at the next open, unless a newer package
  // was staged for the component meanwhile. Files of older builds (<time>-<random>.pkg) are still installed.

  /** Stage a package for its component, replacing one staged before. Returns the file name. */
  stage(componentId: string, bytes: Uint8Array): string {
    const name = `${stagedId(componentId)}.pkg`
    writeFileAtomic(this.path('staged', name), bytes)
    return name
  }

  /** What is staged, oldest first: names, components and sizes (nothing is read). */
  stagedEntries(): StagedEntry[] {
    return readdirSync(this.path('staged'))
      .filter((f) => f.endsWith('.pkg') && !f.startsWith('.'))
      .map((name) => {
        const st = statSync(this.path('staged', name))
        const m = /^([0-9a-f-]{36})\.pkg$/.exec(name)
        return {name, componentId: m?.[1], sizeBytes: st.size, mtimeMs: st.mtimeMs}
      })
      .sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : 1))
      .map(({mtimeMs: _t, ...e}) => e)
  }

  /**
   * Claim a staged package for install: its bytes and `done()` (call once installed or refused), or
   * undefined when another install took it first.
   */
  claimStaged(name: string): {bytes: Uint8Array; done: () => void} | undefined {
    const from = this.path('staged', name)
    const claim = this.path('staged', `${name.slice(0, -4)}.${randomBytes(4).toString('hex')}.installing`)
    try {
      renameSync(from, claim)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw e
    }
    return {bytes: new Uint8Array(readFileSync(claim)), done: () => rmSync(claim, {force: true})}
  }

  /** Claims an interrupted install left: staged again, unless the component has a newer staged package. */
  private recoverClaims(): void {
    const dir = this.path('staged')
    for (const f of readdirSync(dir)) {
      const m = /^(.+)\.[0-9a-f]{8}\.installing$/.exec(f)
      if (!m) continue
      const pkg = join(dir, `${m[1]}.pkg`)
      if (existsSync(pkg)) rmSync(join(dir, f), {force: true})
      else renameSync(join(dir, f), pkg)
    }
  }

  // ---- mutable storage -----------------------------------------------------------------------------

  readMutable(componentId: string): Uint8Array | undefined {
    const f = this.path('storage', `${componentId}.bin`)
    return existsSync(f) ? unsealMutable(new Uint8Array(readFileSync(f)), f, this.legacy) : undefined
  }

  writeMutable(componentId: string, data: Uint8Array): void {
    writeFileAtomic(this.path('storage', `${componentId}.bin`), sealMutable(data))
  }

  deleteMutable(componentId: string): boolean {
    const f = this.path('storage', `${componentId}.bin`)
    if (!existsSync(f)) return false
    unlinkSync(f)
    return true
  }

  mutableSize(componentId: string): number {
    const f = this.path('storage', `${componentId}.bin`)
    return existsSync(f) ? Math.max(0, statSync(f).size - MUT_HEADER) : 0
  }

  // ---- logs -----------------------------------------------------------------------------------------------

  writeLog(componentId: string, text: string): void {
    writeFileAtomic(this.path('logs', `${componentId}.log`), text)
  }

  readLog(componentId: string): string {
    const f = this.path('logs', `${componentId}.log`)
    return existsSync(f) ? readFileSync(f, 'utf8') : ''
  }

  deleteAppData(componentId: string): void {
    rmSync(this.path('storage', `${componentId}.bin`), {force: true})
    rmSync(this.path('logs', `${componentId}.log`), {force: true})
  }
}
