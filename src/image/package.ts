/**
 * Image packages: [ASXipFS image][metadata "4X4M" ... length word][signature]. The signature is ECDSA
 * P-256 over SHA-256 of every byte before it, stored raw as r||s (64 bytes); P-384/SHA-384 (96 bytes)
 * images are parsed too. Packages made here have the SDK's layout: sections ID, SG, DB, TP, ND.
 */
import {createHash, randomUUID, sign as cryptoSign, verify as cryptoVerify} from 'node:crypto'
import {TARGET_API_SET} from '../util/version.js'
import {LeReader, concatBytes, encodeUtf8, fail, hex, isGuid, printable, toHex} from './binary.js'
import {readAsxipfs, splitPackagePath, writeAsxipfs, type AsxipfsEntry, type AsxipfsSuperblock} from './asxipfs.js'
import {
  ABI_APPLICATION_RUNTIME,
  IMAGE_TYPE_APPLICATIONS,
  METADATA_MAGIC,
  SectionId,
  TEMP_UNDER_DEVELOPMENT,
  encodeAbi,
  encodeDebug,
  encodeIdentity,
  encodeMetadata,
  encodeSignatureSection,
  encodeTemporaryImage,
  parseMetadata,
  type ImageMetadata,
  type RawSection,
} from './metadata.js'
import {parseManifest, serializeManifest, validateManifest, type AppManifest} from './manifest.js'
import {anchorsOf, type SigningKey, type TrustAnchor, type TrustAnchors} from './keys.js'

export const SIGNATURE_SIZE_P256 = 64
export const SIGNATURE_SIZE_P384 = 96
/** Largest input parseImagePackage accepts. */
export const MAX_PACKAGE_BYTES = 256 * 1024 * 1024

export interface PackApplicationOptions {
  manifest: AppManifest
  /** Package-relative paths ('bin/app' is the executable); app_manifest.json is added from `manifest` if absent. */
  files: Record<string, Uint8Array> | Map<string, Uint8Array>
  /** Without a key the package carries a zero thumbprint and a zero signature (sign it later). */
  key?: SigningKey
  /** Extra paths to mark executable (the manifest's EntryPoint always is). */
  executables?: string[]
  /** Target API set, e.g. "16" or "11+Beta2111": its number becomes the ABI Depends version. */
  targetApiSet?: string
  /** Fixed image id (default: a fresh random GUID, as the SDK does per build). */
  imageId?: string
  /** Build time in Unix seconds (default: now). */
  buildDate?: number
  /** TemporaryImage flags (default 2 = UnderDevelopment, as SDK-built packages have). */
  temporaryImageFlags?: number
  /** Image name in the Debug section (default: manifest Name, truncated to 31 bytes). */
  name?: string
}

/** ABI version from a target API set ("16", "11+Beta2111" -> 11). */
export function apiSetVersion(targetApiSet: string): number {
  const m = /^([0-9]{1,5})(\+Beta[0-9]{4})?$/.exec(targetApiSet.trim())
  if (!m) fail('IMAGE_BAD_INPUT', `target API set "${printable(targetApiSet)}" is not like "16" or "11+Beta2111"`)
  return Number(m[1])
}

/**
 * Packs an application image package. For high-level apps (ApplicationType Default) the manifest gets
 * TargetApplicationRuntimeVersion (from `targetApiSet`, else the manifest, else the SDK's default) and
 * ABI Depends lists ApplicationRuntime at that version; real-time apps depend on nothing.
 */
export function packApplication(opts: PackApplicationOptions): Uint8Array {
  let manifest = validateManifest(opts.manifest)
  const files = new Map<string, Uint8Array>()
  const input = opts.files instanceof Map ? [...opts.files.entries()] : Object.entries(opts.files)
  for (const [p, data] of input) {
    const key = splitPackagePath(p).join('/')
    if (files.has(key)) fail('IMAGE_BAD_NAME', `path "${printable(p)}" is given twice`)
    files.set(key, data)
  }
  const isHighLevel = manifest.ApplicationType === 'Default'
  let arv: number | undefined
  if (isHighLevel) {
    arv =
      opts.targetApiSet !== undefined
        ? apiSetVersion(opts.targetApiSet)
        : (manifest.TargetApplicationRuntimeVersion ?? apiSetVersion(TARGET_API_SET))
    manifest = {...manifest, TargetApplicationRuntimeVersion: arv}
  }
  if (!files.has('app_manifest.json')) files.set('app_manifest.json', encodeUtf8(serializeManifest(manifest)))
  const entry = splitPackagePath(manifest.EntryPoint).join('/')
  if (!files.has(entry))
    fail(
      'IMAGE_MISSING_ENTRYPOINT',
      `the manifest's EntryPoint ${manifest.EntryPoint} is not among the package files`,
      [`Put the executable at ${entry} in the package directory`],
    )
  const fs = writeAsxipfs(files, {executables: [entry, ...(opts.executables ?? [])]})
  const imageId = opts.imageId ?? randomUUID()
  if (!isGuid(imageId)) fail('IMAGE_BAD_INPUT', `image id "${printable(imageId)}" is not a GUID`)
  const sections: RawSection[] = [
    encodeIdentity(IMAGE_TYPE_APPLICATIONS, manifest.ComponentId, imageId),
    encodeSignatureSection(opts.key ? opts.key.thumbprint : new Uint8Array(20), 1),
    encodeDebug(opts.name ?? manifest.Name, opts.buildDate ?? Math.floor(Date.now() / 1000)),
    encodeTemporaryImage(opts.temporaryImageFlags ?? TEMP_UNDER_DEVELOPMENT),
    encodeAbi(SectionId.ABIDepends, arv !== undefined ? [{version: arv, type: ABI_APPLICATION_RUNTIME}] : []),
  ]
  const unsigned = concatBytes([fs, encodeMetadata(sections)])
  return concatBytes([unsigned, opts.key ? signBytes(unsigned, opts.key) : new Uint8Array(SIGNATURE_SIZE_P256)])
}

/** The raw signature of `data` with `key` (P-256 or P-384, r||s), as the package trailer holds it. */
export function signBytes(data: Uint8Array, key: SigningKey): Uint8Array {
  const p384 = key.privateKey.asymmetricKeyDetails?.namedCurve === 'secp384r1'
  return new Uint8Array(cryptoSign(p384 ? 'sha384' : 'sha256', data, {key: key.privateKey, dsaEncoding: 'ieee-p1363'}))
}

export interface ImagePackage {
  /** Total length in bytes. */
  size: number
  identity: {imageType: number; imageTypeName: string; componentId: string; imageId: string}
  signature: {
    thumbprint: string
    signingType: number
    signingTypeName: string
    /** The raw r||s bytes at the end of the file. */
    bytes: Uint8Array
    /** Number of bytes the signature covers (everything before it). */
    signedLength: number
    /** True when signature and thumbprint are all zero (packed without a key). */
    unsigned: boolean
  }
  debug?: {name: string; buildDate: string; buildDateSeconds: number}
  temporaryImage?: {flags: number; removeAtBoot: boolean; underDevelopment: boolean}
  abiDepends?: {version: number; type: number; typeName: string}[]
  abiProvides?: {version: number; type: number; typeName: string}[]
  /** All metadata (every section, decoded where documented). */
  metadata: ImageMetadata & {offset: number}
  /** The ASXipFS superblock and inodes (absent for images that are not file systems). */
  filesystem?: {superblock: AsxipfsSuperblock; entries: AsxipfsEntry[]}
  /** Regular files by package-relative path. */
  files: Map<string, Uint8Array>
  /** The validated app_manifest.json, when present and valid. */
  manifest?: AppManifest
  /** Why app_manifest.json did not validate, when it did not. */
  manifestError?: string
}

function locateMetadata(bytes: Uint8Array): {sigSize: number; offset: number; length: number} {
  const r = new LeReader(bytes, 'image package')
  let firstProblem = ''
  for (const sigSize of [SIGNATURE_SIZE_P256, SIGNATURE_SIZE_P384]) {
    if (bytes.length < sigSize + 12) {
      firstProblem ||= `${bytes.length} bytes is too short for metadata and a signature`
      continue
    }
    const len = r.u32(bytes.length - sigSize - 4, 'metadata length')
    const offset = bytes.length - sigSize - len
    if (len < 12 || offset < 0) {
      firstProblem ||= `no image metadata at the end of the file (its length word, ${len}, does not fit the ${bytes.length}-byte file)`
      continue
    }
    if (r.u32(offset, 'metadata magic') !== METADATA_MAGIC) {
      firstProblem ||= `no "4X4M" metadata header at offset 0x${hex(offset)}`
      continue
    }
    return {sigSize, offset, length: len}
  }
  return fail(bytes.length < 76 ? 'IMAGE_TRUNCATED' : 'IMAGE_BAD_METADATA', `image package: ${firstProblem}`)
}

/**
 * Parses an image package. Throws SphereError (one line) on anything malformed: truncation, bad magic,
 * bad CRC, sections past the end, overlapping inodes, bad names. Does not check the signature (see
 * verifyImagePackage). Memory use is bounded by the input size.
 */
export function parseImagePackage(bytes: Uint8Array): ImagePackage {
  if (!(bytes instanceof Uint8Array)) fail('IMAGE_BAD_INPUT', 'image package: expected bytes')
  if (bytes.length > MAX_PACKAGE_BYTES)
    fail('IMAGE_TOO_LARGE', `image package: ${bytes.length} bytes exceeds the ${MAX_PACKAGE_BYTES}-byte limit`)
  if (bytes.length === 0) fail('IMAGE_TRUNCATED', 'image package: the file is empty')
  const loc = locateMetadata(bytes)
  const md = parseMetadata(bytes.subarray(loc.offset, loc.offset + loc.length))
  if (!md.identity) fail('IMAGE_BAD_METADATA', 'image package: no Identity section')
  if (!md.signature) fail('IMAGE_BAD_METADATA', 'image package: no Signature section')
  const expectSig = md.signature.signingType === 2 ? SIGNATURE_SIZE_P384 : SIGNATURE_SIZE_P256
  if (expectSig !== loc.sigSize)
    fail(
      'IMAGE_BAD_METADATA',
      `image package: signing type ${md.signature.signingTypeName} needs a ${expectSig}-byte signature, found ${loc.sigSize}`,
    )
  const data = bytes.subarray(0, loc.offset)
  const sigBytes = bytes.slice(bytes.length - loc.sigSize)
  const pkg: ImagePackage = {
    size: bytes.length,
    identity: {
      imageType: md.identity.imageType,
      imageTypeName: md.identity.imageTypeName,
      componentId: md.identity.componentId,
      imageId: md.identity.imageId,
    },
    signature: {
      thumbprint: md.signature.thumbprint,
      signingType: md.signature.signingType,
      signingTypeName: md.signature.signingTypeName,
      bytes: sigBytes,
      signedLength: bytes.length - loc.sigSize,
      unsigned: sigBytes.every((b) => b === 0) && /^0+$/.test(md.signature.thumbprint),
    },
    metadata: {...md, offset: loc.offset},
    files: new Map(),
  }
  if (md.debug) pkg.debug = md.debug
  if (md.temporaryImage) pkg.temporaryImage = md.temporaryImage
  if (md.abiDepends) pkg.abiDepends = md.abiDepends
  if (md.abiProvides) pkg.abiProvides = md.abiProvides
  const isApp = md.identity.imageType === IMAGE_TYPE_APPLICATIONS
  const looksLikeFs = data.length >= 4 && new LeReader(data, 'image').u32(0, 'magic') === 0x28cd3d45
  if (isApp || looksLikeFs) {
    const fs = readAsxipfs(data)
    if (fs.superblock.size !== data.length) {
      const gap = data.subarray(fs.superblock.size)
      if (gap.length >= 4096 || gap.some((b) => b !== 0))
        fail(
          'IMAGE_BAD_FS',
          `image package: ${gap.length} bytes between the file system (0x${hex(fs.superblock.size)} bytes) and the metadata`,
        )
    }
    pkg.filesystem = {superblock: fs.superblock, entries: fs.entries}
    pkg.files = fs.files
    const m = fs.files.get('app_manifest.json')
    if (m) {
      try {
        pkg.manifest = parseManifest(m)
      } catch (e) {
        pkg.manifestError = (e as Error).message
      }
    } else if (isApp) pkg.manifestError = 'the package has no app_manifest.json'
  }
  return pkg
}

export type VerifyResult =
  | {
      ok: true
      anchor: string
      anchorKind: TrustAnchor['kind']
      thumbprint: string
      thumbprintMatches: boolean
      package: ImagePackage
    }
  | {ok: false; reason: string; code: string}

/**
 * Checks structure and CRC (parseImagePackage) and the signature against the trust anchors: anchors
 * whose thumbprint matches the Signature section are tried first, then the rest.
 */
export function verifyImagePackage(bytes: Uint8Array, trust: TrustAnchors): VerifyResult {
  let pkg: ImagePackage
  try {
    pkg = parseImagePackage(bytes)
  } catch (e) {
    const code = (e as {code?: string}).code
    if (code === undefined) throw e
    return {ok: false, reason: (e as Error).message, code}
  }
  if (pkg.signature.unsigned)
    return {ok: false, reason: 'the package is not signed (zero signature)', code: 'IMAGE_UNSIGNED'}
  if (pkg.signature.signingType !== 1 && pkg.signature.signingType !== 2) {
    return {ok: false, reason: `unsupported signing type ${pkg.signature.signingTypeName}`, code: 'IMAGE_BAD_SIGNATURE'}
  }
  const anchors = [...anchorsOf(trust)]
  if (anchors.length === 0) return {ok: false, reason: 'no trusted keys to verify against', code: 'IMAGE_UNTRUSTED'}
  const tp = pkg.signature.thumbprint.toLowerCase()
  anchors.sort((a, b) => Number(b.thumbprint.toLowerCase() === tp) - Number(a.thumbprint.toLowerCase() === tp))
  const signed = bytes.subarray(0, pkg.signature.signedLength)
  const hash = pkg.signature.signingType === 2 ? 'sha384' : 'sha256'
  for (const a of anchors) {
    let good = false
    try {
      good = cryptoVerify(hash, signed, {key: a.publicKey, dsaEncoding: 'ieee-p1363'}, pkg.signature.bytes)
    } catch {
      good = false
    }
    if (good)
      return {
        ok: true,
        anchor: a.name,
        anchorKind: a.kind,
        thumbprint: tp,
        thumbprintMatches: a.thumbprint.toLowerCase() === tp,
        package: pkg,
      }
  }
  return {
    ok: false,
    reason: `the signature does not verify against ${anchors.length === 1 ? 'the given key' : `any of ${anchors.length} trusted keys`} (signed with certificate thumbprint ${tp})`,
    code: 'IMAGE_BAD_SIGNATURE',
  }
}

/**
 * Re-signs a package with `key`: the Signature section gets the key's thumbprint (section order and
 * everything else unchanged), then a new signature replaces the old one. The input must parse (CRC
 * and structure intact); the old signature need not verify.
 */
export function signImagePackage(bytes: Uint8Array, key: SigningKey): Uint8Array {
  const pkg = parseImagePackage(bytes)
  const p384 = key.privateKey.asymmetricKeyDetails?.namedCurve === 'secp384r1'
  const sections: RawSection[] = pkg.metadata.raw.map((s) =>
    s.id === SectionId.Signature ? encodeSignatureSection(key.thumbprint, p384 ? 2 : 1) : s,
  )
  const data = bytes.subarray(0, pkg.metadata.offset)
  const unsigned = concatBytes([data, encodeMetadata(sections)])
  return concatBytes([unsigned, signBytes(unsigned, key)])
}

/** SHA-256 of the whole package, hex (a stable content id for caches). */
export function packageDigest(bytes: Uint8Array): string {
  return toHex(new Uint8Array(createHash('sha256').update(bytes).digest()))
}
