/**
 * What `image-package show` prints: the package's sections in PascalCase groups (Identity.ImageId,
 * Identity.ComponentId, ...), the file list, the manifest, and optionally a verification status.
 */
import type {ImagePackage, VerifyResult} from './package.js'

/** SDK display names of image types (Applications shows as "Application"). */
const IMAGE_TYPE_DISPLAY: Record<number, string> = {10: 'Application', 21: 'Board configuration'}

export interface ImagePackageSummary {
  Size: number
  Identity: {ImageType: string; ImageTypeValue: number; ComponentId: string; ImageId: string}
  Signature: {SigningType: string; Cert: string; Status: string}
  Debug?: {ImageName: string; BuiltOnUtc: string; BuiltOnUnix: number}
  TemporaryImage?: {RemoveImageAtBoot: boolean; UnderDevelopment: boolean}
  AbiDepends?: {Type: string; Version: number}[]
  AbiProvides?: {Type: string; Version: number}[]
  Sections: string[]
  Files: {Path: string; Size: number; Mode: string; Executable: boolean}[]
  Manifest?: unknown
  ManifestError?: string
}

export function summarizeImagePackage(pkg: ImagePackage, verification?: VerifyResult): ImagePackageSummary {
  let status = 'Not checked'
  if (pkg.signature.unsigned) status = 'Unsigned'
  else if (verification)
    status = verification.ok ? `Verified (${verification.anchor})` : `Not verified: ${verification.reason}`
  const s: ImagePackageSummary = {
    Size: pkg.size,
    Identity: {
      ImageType: IMAGE_TYPE_DISPLAY[pkg.identity.imageType] ?? pkg.identity.imageTypeName,
      ImageTypeValue: pkg.identity.imageType,
      ComponentId: pkg.identity.componentId,
      ImageId: pkg.identity.imageId,
    },
    Signature: {SigningType: pkg.signature.signingTypeName, Cert: pkg.signature.thumbprint, Status: status},
    Sections: pkg.metadata.sections.map((x) => x.tag),
    Files: (pkg.filesystem?.entries ?? [])
      .filter((e) => e.type === 'file')
      .map((e) => ({
        Path: e.path,
        Size: e.size,
        Mode: (e.mode & 0o7777).toString(8).padStart(4, '0'),
        Executable: (e.mode & 0o111) !== 0,
      })),
  }
  if (pkg.debug)
    s.Debug = {ImageName: pkg.debug.name, BuiltOnUtc: pkg.debug.buildDate, BuiltOnUnix: pkg.debug.buildDateSeconds}
  if (pkg.temporaryImage)
    s.TemporaryImage = {
      RemoveImageAtBoot: pkg.temporaryImage.removeAtBoot,
      UnderDevelopment: pkg.temporaryImage.underDevelopment,
    }
  if (pkg.abiDepends) s.AbiDepends = pkg.abiDepends.map((a) => ({Type: a.typeName, Version: a.version}))
  if (pkg.abiProvides) s.AbiProvides = pkg.abiProvides.map((a) => ({Type: a.typeName, Version: a.version}))
  if (pkg.manifest) s.Manifest = pkg.manifest
  if (pkg.manifestError) s.ManifestError = pkg.manifestError
  return s
}
