/**
 * Image metadata ("4X4M"): a header {u32 magic, u32 section count}, then sections {u16 id, u16 length,
 * payload}, then a u32 holding the metadata length (header through this word). It follows the image
 * data and precedes the signature. Section ids are two ASCII characters read as a little-endian u16.
 */
import {LeReader, LeWriter, bytesToGuid, encodeUtf8, fail, guidToBytes, hex, toHex} from './binary.js'

export const METADATA_MAGIC = 0x4d345834 // "4X4M" on disk
export const MAX_SECTIONS = 4096

export const SectionId = {
  Debug: 0x4244, // DB
  LegacyABIDepends: 0x4441, // AD
  Identity: 0x4449, // ID
  ABIDepends: 0x444e, // ND
  Legacy: 0x474c, // LG
  Signature: 0x4753, // SG
  Compression: 0x4d43, // CM
  RequiredFlashOffset: 0x4f52, // RO
  LegacyABIProvides: 0x5041, // AP
  ImagePolicy: 0x5049, // IP
  ABIProvides: 0x504e, // NP
  TemporaryImage: 0x5054, // TP
  Revocation: 0x5652, // RV
} as const

const SECTION_NAMES: Record<number, string> = {
  [SectionId.Debug]: 'Debug',
  [SectionId.LegacyABIDepends]: 'Legacy ABI Depends',
  [SectionId.Identity]: 'Identity',
  [SectionId.ABIDepends]: 'ABI Depends',
  [SectionId.Legacy]: 'Legacy',
  [SectionId.Signature]: 'Signature',
  [SectionId.Compression]: 'Compression',
  [SectionId.RequiredFlashOffset]: 'Required Offset',
  [SectionId.LegacyABIProvides]: 'Legacy ABI Provides',
  [SectionId.ImagePolicy]: 'Image Policy',
  [SectionId.ABIProvides]: 'ABI Provides',
  [SectionId.TemporaryImage]: 'Temporary Image',
  [SectionId.Revocation]: 'Revocation',
}

/** Fixed payload sizes of the sections that have one. */
const FIXED_SIZE: Record<number, number> = {
  [SectionId.Identity]: 36,
  [SectionId.Signature]: 24,
  [SectionId.Debug]: 40,
  [SectionId.TemporaryImage]: 4,
  [SectionId.Compression]: 8,
  [SectionId.Revocation]: 4,
  [SectionId.RequiredFlashOffset]: 4,
  [SectionId.ImagePolicy]: 4,
}

export const ImageType: Record<number, string> = {
  0: 'Invalid',
  1: 'OneBL',
  2: 'PlutonRuntime',
  3: 'WifiFirmware',
  4: 'SecurityMonitor',
  5: 'NormalWorldLoader',
  6: 'NormalWorldDTB',
  7: 'NormalWorldKernel',
  8: 'RootFs',
  9: 'Services',
  10: 'Applications',
  13: 'FirmwareConfig',
  16: 'BootManifest',
  17: 'NormalWorldFileSystem',
  19: 'TrustedKeystore',
  20: 'Policy',
  21: 'CustomerBoardConfig',
  22: 'UpdateCertStore',
  23: 'BaseSystemUpdateManifest',
  24: 'FirmwareUpdateManifest',
  25: 'CustomerUpdateManifest',
  26: 'RecoveryManifest',
  27: 'ManifestSet',
  28: 'Other',
}
export const IMAGE_TYPE_APPLICATIONS = 10
export const IMAGE_TYPE_BOARD_CONFIG = 21

export const SigningType: Record<number, string> = {0: 'Invalid', 1: 'ECDsa256', 2: 'ECDsa384'}
export const AbiType: Record<number, string> = {
  0: 'None',
  1: 'SecureWorldRuntime',
  2: 'OSRuntime',
  3: 'ApplicationRuntime',
}
export const ABI_APPLICATION_RUNTIME = 3
export const CompressionType: Record<number, string> = {0: 'Invalid', 1: 'Lzma'}
export const TEMP_REMOVE_AT_BOOT = 0x1
export const TEMP_UNDER_DEVELOPMENT = 0x2

/** The two ASCII characters a section id reads as on disk ("ID", "SG", ...). */
export function sectionTag(id: number): string {
  const a = id & 0xff
  const b = id >>> 8
  const ok = (c: number): boolean => c >= 0x20 && c < 0x7f
  return ok(a) && ok(b) ? String.fromCharCode(a, b) : `0x${hex(id).padStart(4, '0')}`
}
export function sectionName(id: number): string {
  return SECTION_NAMES[id] ?? `Unknown (${sectionTag(id)})`
}

export interface IdentitySection {
  imageType: number
  imageTypeName: string
  reserved: number
  componentId: string
  imageId: string
}
export interface SignatureSection {
  /** SHA-1 thumbprint of the signing certificate, 40 hex digits. */
  thumbprint: string
  signingType: number
  signingTypeName: string
}
export interface DebugSection {
  name: string
  /** Build time, seconds since the Unix epoch (u64). */
  buildDateSeconds: number
  /** ISO-8601 UTC, or '' when out of the Date range. */
  buildDate: string
}
export interface TemporaryImageSection {
  flags: number
  removeAtBoot: boolean
  underDevelopment: boolean
}
export interface AbiEntry {
  version: number
  type: number
  typeName: string
}
export interface CompressionSection {
  uncompressedSize: number
  type: number
  typeName: string
}
export interface ImagePolicySection {
  flags: number
  invalidateFromNormalWorld: boolean
  sideloadFromNormalWorld: boolean
}

export interface RawSection {
  id: number
  data: Uint8Array
}

export interface SectionInfo {
  id: number
  /** On-disk ASCII id, e.g. "ID". */
  tag: string
  name: string
  /** Offset of the section header from the start of the metadata. */
  offset: number
  length: number
}

export interface ImageMetadata {
  sections: SectionInfo[]
  raw: RawSection[]
  identity?: IdentitySection
  signature?: SignatureSection
  debug?: DebugSection
  temporaryImage?: TemporaryImageSection
  abiDepends?: AbiEntry[]
  abiProvides?: AbiEntry[]
  legacyAbiDepends?: AbiEntry[]
  legacyAbiProvides?: AbiEntry[]
  compression?: CompressionSection
  revocation?: {securityVersion: number}
  requiredFlashOffset?: {offset: number}
  imagePolicy?: ImagePolicySection
  /** Total metadata length including the trailing length word. */
  length: number
}

function decodeAbi(r: LeReader, name: string): AbiEntry[] {
  if (r.length < 4) fail('IMAGE_BAD_SECTION', `metadata: ${name} section is ${r.length} bytes (needs at least 4)`)
  const count = r.u32(0, `${name} count`)
  if (r.length !== 4 + count * 8)
    fail('IMAGE_BAD_SECTION', `metadata: ${name} section says ${count} entries but is ${r.length} bytes`)
  const out: AbiEntry[] = []
  for (let i = 0; i < count; i++) {
    const version = r.u32(4 + i * 8, name)
    const type = r.u32(8 + i * 8, name)
    out.push({version, type, typeName: AbiType[type] ?? `Unknown(${type})`})
  }
  return out
}

function isoDate(seconds: number): string {
  const ms = seconds * 1000
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return ''
  return new Date(ms).toISOString()
}

/**
 * Parses metadata from the "4X4M" header through the trailing length word (exactly `bytes`). Known
 * sections must have their documented size and appear once; unknown sections are kept raw.
 */
export function parseMetadata(bytes: Uint8Array): ImageMetadata {
  const r = new LeReader(bytes, 'metadata')
  if (bytes.length < 12)
    fail('IMAGE_TRUNCATED', `metadata: ${bytes.length} bytes is too short for a header and trailer`)
  const magic = r.u32(0, 'magic')
  if (magic !== METADATA_MAGIC)
    fail('IMAGE_BAD_METADATA', `metadata: bad magic 0x${hex(magic).padStart(8, '0')} (expected "4X4M")`)
  const count = r.u32(4, 'section count')
  const end = bytes.length - 4
  const trailer = r.u32(end, 'length word')
  if (trailer !== bytes.length)
    fail('IMAGE_BAD_METADATA', `metadata: trailing length ${trailer} does not match the ${bytes.length}-byte metadata`)
  if (count === 0) fail('IMAGE_BAD_METADATA', 'metadata: no sections')
  if (count > MAX_SECTIONS || count * 4 > end - 8)
    fail('IMAGE_BAD_METADATA', `metadata: ${count} sections cannot fit in ${end - 8} bytes`)
  const md: ImageMetadata = {sections: [], raw: [], length: bytes.length}
  let at = 8
  const seen = new Set<number>()
  for (let i = 0; i < count; i++) {
    if (at + 4 > end)
      fail('IMAGE_BAD_SECTION', `metadata: section ${i + 1} of ${count} starts past the end of the metadata`)
    const id = r.u16(at, 'section id')
    const len = r.u16(at + 2, 'section length')
    if (at + 4 + len > end) {
      fail(
        'IMAGE_BAD_SECTION',
        `metadata: section ${sectionTag(id)} length ${len} at offset ${at} runs past the end of the metadata`,
      )
    }
    const data = bytes.slice(at + 4, at + 4 + len)
    md.sections.push({id, tag: sectionTag(id), name: sectionName(id), offset: at, length: len})
    md.raw.push({id, data})
    at += 4 + len
    if (len === 0) continue
    const known = SECTION_NAMES[id] !== undefined
    if (known && seen.has(id)) fail('IMAGE_BAD_SECTION', `metadata: duplicate ${sectionName(id)} section`)
    seen.add(id)
    const want = FIXED_SIZE[id]
    if (want !== undefined && len !== want) {
      fail('IMAGE_BAD_SECTION', `metadata: ${sectionName(id)} section is ${len} bytes (expected ${want})`)
    }
    const s = new LeReader(data, `${sectionName(id)} section`)
    switch (id) {
      case SectionId.Identity: {
        const imageType = s.u16(0, 'image type')
        md.identity = {
          imageType,
          imageTypeName: ImageType[imageType] ?? `Unknown(${imageType})`,
          reserved: s.u16(2, 'reserved'),
          componentId: bytesToGuid(s.slice(4, 16, 'component id')),
          imageId: bytesToGuid(s.slice(20, 16, 'image id')),
        }
        break
      }
      case SectionId.Signature: {
        const signingType = s.u32(20, 'signing type')
        md.signature = {
          thumbprint: toHex(s.slice(0, 20, 'thumbprint')),
          signingType,
          signingTypeName: SigningType[signingType] ?? `Unknown(${signingType})`,
        }
        break
      }
      case SectionId.Debug: {
        const seconds = Number(s.u64(0, 'build date'))
        const nameRaw = s.slice(8, 32, 'name')
        const nul = nameRaw.indexOf(0)
        const name = new TextDecoder('utf-8', {fatal: false}).decode(nul >= 0 ? nameRaw.subarray(0, nul) : nameRaw)
        md.debug = {name, buildDateSeconds: seconds, buildDate: isoDate(seconds)}
        break
      }
      case SectionId.TemporaryImage: {
        const flags = s.u32(0, 'flags')
        md.temporaryImage = {
          flags,
          removeAtBoot: (flags & TEMP_REMOVE_AT_BOOT) !== 0,
          underDevelopment: (flags & TEMP_UNDER_DEVELOPMENT) !== 0,
        }
        break
      }
      case SectionId.ABIDepends:
        md.abiDepends = decodeAbi(s, 'ABI Depends')
        break
      case SectionId.ABIProvides:
        md.abiProvides = decodeAbi(s, 'ABI Provides')
        break
      case SectionId.LegacyABIDepends:
        md.legacyAbiDepends = decodeAbi(s, 'Legacy ABI Depends')
        break
      case SectionId.LegacyABIProvides:
        md.legacyAbiProvides = decodeAbi(s, 'Legacy ABI Provides')
        break
      case SectionId.Compression: {
        const type = s.u32(4, 'type')
        md.compression = {
          uncompressedSize: s.u32(0, 'uncompressed size'),
          type,
          typeName: CompressionType[type] ?? `Unknown(${type})`,
        }
        break
      }
      case SectionId.Revocation:
        md.revocation = {securityVersion: s.u32(0, 'security version')}
        break
      case SectionId.RequiredFlashOffset:
        md.requiredFlashOffset = {offset: s.u32(0, 'offset')}
        break
      case SectionId.ImagePolicy: {
        const flags = s.u32(0, 'flags')
        md.imagePolicy = {
          flags,
          invalidateFromNormalWorld: (flags & 1) !== 0,
          sideloadFromNormalWorld: (flags & 2) !== 0,
        }
        break
      }
      default:
        break // Legacy and unknown sections are kept raw
    }
  }
  if (at !== end) fail('IMAGE_BAD_METADATA', `metadata: ${end - at} unexplained bytes after the last section`)
  return md
}

/** Serialises sections + the trailing length word. */
export function encodeMetadata(sections: readonly RawSection[]): Uint8Array {
  const w = new LeWriter()
  w.u32(METADATA_MAGIC).u32(sections.length)
  for (const s of sections) {
    if (s.data.length > 0xffff)
      fail('IMAGE_TOO_LARGE', `metadata: ${sectionName(s.id)} section is longer than 65535 bytes`)
    w.u16(s.id).u16(s.data.length).bytes(s.data)
  }
  w.u32(w.length + 4)
  return w.finish()
}

export function encodeIdentity(imageType: number, componentId: string, imageId: string): RawSection {
  return {
    id: SectionId.Identity,
    data: new LeWriter().u16(imageType).u16(0).bytes(guidToBytes(componentId)).bytes(guidToBytes(imageId)).finish(),
  }
}
export function encodeSignatureSection(thumbprint: Uint8Array, signingType = 1): RawSection {
  if (thumbprint.length !== 20) fail('IMAGE_BAD_INPUT', 'a certificate thumbprint is 20 bytes')
  return {id: SectionId.Signature, data: new LeWriter().bytes(thumbprint).u32(signingType).finish()}
}
/** Debug section: u64 build time (Unix seconds) + name, at most 31 UTF-8 bytes, NUL padded to 32. */
export function encodeDebug(name: string, buildDateSeconds: number): RawSection {
  let b = encodeUtf8(name)
  if (b.length > 31) {
    let n = 31
    while (n > 0 && ((b[n] as number) & 0xc0) === 0x80) n-- // do not split a UTF-8 sequence
    b = b.subarray(0, n)
  }
  const nameField = new Uint8Array(32)
  nameField.set(b)
  return {
    id: SectionId.Debug,
    data: new LeWriter()
      .u64(BigInt(Math.max(0, Math.floor(buildDateSeconds))))
      .bytes(nameField)
      .finish(),
  }
}
export function encodeTemporaryImage(flags: number): RawSection {
  return {id: SectionId.TemporaryImage, data: new LeWriter().u32(flags).finish()}
}
export function encodeAbi(id: number, entries: readonly {version: number; type: number}[]): RawSection {
  const w = new LeWriter().u32(entries.length)
  for (const e of entries) w.u32(e.version).u32(e.type)
  return {id, data: w.finish()}
}
