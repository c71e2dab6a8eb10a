import {Flags} from '@oclif/core'
import {readFileSync, statSync} from 'node:fs'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {
  MAX_PACKAGE_BYTES,
  loadTrustStore,
  trustAnchorFromPem,
  verifyImagePackage,
  type TrustAnchor,
} from '../../image/index.js'
import {SphereError, usageError} from '../../util/errors.js'

/** Reads a file for a command, with one-line errors for missing/oversized files. */
export function readInputFile(path: string, max = MAX_PACKAGE_BYTES): Uint8Array {
  let size: number
  try {
    const st = statSync(path)
    if (!st.isFile()) throw new SphereError('FILE_NOT_FOUND', `not a file: ${path}`)
    size = st.size
  } catch (e) {
    if (e instanceof SphereError) throw e
    throw new SphereError('FILE_NOT_FOUND', `file not found: ${path}`)
  }
  if (size > max) throw new SphereError('IMAGE_TOO_LARGE', `${path}: ${size} bytes exceeds the ${max}-byte limit`)
  return readFileSync(path)
}

export interface VerifyCommandResult {
  imagePackage: string
  verified: true
  trustedBy: string
  trustKind: string
  thumbprint: string
  thumbprintMatches: boolean
  componentId: string
  imageId: string
}

export default class ImageVerify extends SphereCommand<VerifyCommandResult> {
  static override summary = 'Verify the CRC and signature of an image package'
  static override description =
    'Exits 0 when the package is well-formed, its file-system CRC is right and its ECDSA signature verifies against the given ' +
    'certificate or public key (default: the trust store: your development key, SPHERE_HOME/trust and the Azure Sphere SDK test key); ' +
    'exits 1 with the reason otherwise.'
  static override examples = [
    '<%= config.bin %> image verify --image-package app.imagepackage',
    '<%= config.bin %> image verify --image-package app.imagepackage --certificate signer.cer',
    '<%= config.bin %> image verify --image-package app.imagepackage --public-key signer.pub.pem',
  ]
  static override flags = {
    'image-package': Flags.string({char: 'p', required: true, description: 'Path to the image package'}),
    certificate: Flags.string({description: 'Certificate (PEM or DER) of the signing key', exclusive: ['public-key']}),
    'public-key': Flags.string({description: 'Public key (PEM or DER) to verify with', exclusive: ['certificate']}),
  }
  static override columns = [
    {key: 'imagePackage', header: 'Image package'},
    {key: 'verified', header: 'Verified'},
    {key: 'trustedBy', header: 'Trusted by'},
    {key: 'thumbprint', header: 'Cert thumbprint'},
  ]

  async execute(): Promise<VerifyCommandResult> {
    const {flags} = await this.parse(ImageVerify)
    const bytes = readInputFile(flags['image-package'])
    let anchors: TrustAnchor[]
    const anchorFile = flags.certificate ?? flags['public-key']
    if (anchorFile) {
      let data: Buffer
      try {
        data = readFileSync(anchorFile)
      } catch {
        throw usageError('FILE_NOT_FOUND', `file not found: ${anchorFile}`)
      }
      anchors = [trustAnchorFromPem(data, anchorFile)]
    } else anchors = loadTrustStore(sphereHome()).anchors
    const r = verifyImagePackage(bytes, anchors)
    if (!r.ok) throw new SphereError('IMAGE_VERIFY_FAILED', `${flags['image-package']}: ${r.reason}`)
    return {
      imagePackage: flags['image-package'],
      verified: true,
      trustedBy: r.anchor,
      trustKind: r.anchorKind,
      thumbprint: r.thumbprint,
      thumbprintMatches: r.thumbprintMatches,
      componentId: r.package.identity.componentId,
      imageId: r.package.identity.imageId,
    }
  }
}
