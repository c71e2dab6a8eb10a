import {Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
// the image modules this command uses, not src/image/index.ts: its start-up then loads no hardware definitions or packers
import {loadTrustStore} from '../../image/keys.js'
import {verifyImagePackage} from '../../image/package.js'
import {summarizeImagePackage, type ImagePackageSummary} from '../../image/summary.js'
import {parsePackageFile} from '../../cli/files.js'
import {readInputFile} from '../image/verify.js'

export default class ImagePackageShow extends SphereCommand<ImagePackageSummary> {
  static override summary = 'Show details of an image package'
  static override aliases = ['image:show']
  static override description =
    'Shows the metadata of an image package (identity, signature, debug name and build time, temporary-image flags, ABI ' +
    'dependencies), its files and its app manifest. The signature status is checked against the trust store (your ' +
    'development key, SPHERE_HOME/trust, and the Azure Sphere SDK test key).'
  static override examples = [
    '<%= config.bin %> image-package show --image-package app.imagepackage',
    '<%= config.bin %> image-package show --image-package app.imagepackage --query Identity.ImageId',
  ]
  static override flags = {
    'image-package': Flags.string({char: 'p', required: true, description: 'Path to the image package'}),
  }
  static override columns = [
    {key: 'Identity.ImageType', header: 'Image type'},
    {key: 'Identity.ComponentId', header: 'Component ID'},
    {key: 'Identity.ImageId', header: 'Image ID'},
    {key: 'Debug.ImageName', header: 'Name'},
    {key: 'Signature.Status', header: 'Signature'},
  ]

  async execute(): Promise<ImagePackageSummary> {
    const {flags} = await this.parse(ImagePackageShow)
    const bytes = readInputFile(flags['image-package'])
    const pkg = parsePackageFile(flags['image-package'], bytes)
    const verification = verifyImagePackage(bytes, loadTrustStore(sphereHome(), {createDevKey: false}))
    return summarizeImagePackage(pkg, verification)
  }
}
