import {Flags} from '../../cli/flags.js'
import {resolve} from 'node:path'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {loadOrCreateDevKey, parseImagePackage, signImagePackage, signingKeyFromPem, toHex} from '../../image/index.js'
import {writeFileAtomic} from '../../util/atomic-file.js'
import {packageFileError, readInputFileSync} from '../../cli/files.js'
import {readInputFile} from './verify.js'

export interface SignResult {
  imagePackage: string
  signedWith: string
  thumbprint: string
  componentId: string
  imageId: string
}

export default class ImageSign extends SphereCommand<SignResult> {
  static override summary = 'Re-sign an image package'
  static override description =
    'Replaces the signature of an image package (and the certificate thumbprint in its Signature section) using --key, a PEM ' +
    'file holding an ECDSA P-256 private key and optionally its certificate; default: your development key. The file is ' +
    'rewritten atomically (or written to --output-file).'
  static override examples = [
    '<%= config.bin %> image sign --image-package app.imagepackage',
    '<%= config.bin %> image sign --image-package app.imagepackage --key release-key.pem --output-file signed.imagepackage',
  ]
  static override flags = {
    'image-package': Flags.string({char: 'p', required: true, description: 'Path to the image package'}),
    key: Flags.string({description: 'PEM file with the private key (and optionally its certificate)'}),
    'output-file': Flags.string({description: 'Write the signed package here instead of replacing the input'}),
  }
  static override columns = [
    {key: 'imagePackage', header: 'Image package'},
    {key: 'signedWith', header: 'Signed with'},
    {key: 'thumbprint', header: 'Thumbprint'},
  ]

  async execute(): Promise<SignResult> {
    const {flags} = await this.parse(ImageSign)
    const bytes = readInputFile(flags['image-package'])
    let key
    if (flags.key) {
      const pem = readInputFileSync(flags.key, 'key file', 1 << 20).toString('utf8')
      key = signingKeyFromPem(pem, flags.key)
    } else key = loadOrCreateDevKey(sphereHome())
    let signed: Uint8Array
    try {
      signed = signImagePackage(bytes, key)
    } catch (e) {
      throw packageFileError(flags['image-package'], e)
    }
    const out = resolve(flags['output-file'] ?? flags['image-package'])
    writeFileAtomic(out, signed)
    const pkg = parseImagePackage(signed)
    return {
      imagePackage: out,
      signedWith: key.name,
      thumbprint: toHex(key.thumbprint),
      componentId: pkg.identity.componentId,
      imageId: pkg.identity.imageId,
    }
  }
}
