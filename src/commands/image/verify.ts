import {join} from 'node:path'
import {Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {readInputFileSync} from '../../cli/files.js'
import {loadTrustStore, trustAnchorFromPem, type TrustAnchor} from '../../image/keys.js'
import {verifyImagePackage} from '../../image/package.js'
import {SphereError} from '../../util/errors.js'

/** An image package a flag names (one-line errors naming the file: missing, a folder, too large). */
export function readInputFile(path: string): Uint8Array {
  return readInputFileSync(path, 'image package')
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
      const data = readInputFileSync(anchorFile, flags.certificate ? 'certificate' : 'public key', 1 << 20)
      anchors = [trustAnchorFromPem(data, anchorFile)]
    } else anchors = loadTrustStore(sphereHome()).anchors
    const r = verifyImagePackage(bytes, anchors)
    if (!r.ok) {
      // against the trust store, a signature that verifies with no trusted key is an untrusted signer: say how to fix it
      const fix =
        !anchorFile && r.code === 'IMAGE_BAD_SIGNATURE'
          ? `; re-sign it with your key (\`sphere image sign -p ${flags['image-package']}\`), add the signer's certificate to ${join(sphereHome(), 'trust')}/, or set SPHERE_HOME to the folder of the machine that signed it`
          : ''
      throw new SphereError('IMAGE_VERIFY_FAILED', `${flags['image-package']}: ${r.reason.replace(/\.$/, '')}${fix}.`)
    }
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
