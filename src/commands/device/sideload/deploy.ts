import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {sphereHome} from '../../../cli/config.js'
import {packageRefusal} from '../../../cli/device-errors.js'
import {parsePackageFile, readInputFile} from '../../../cli/files.js'
import {IMAGE_TYPE_APPLICATIONS} from '../../../image/index.js'

export interface DeployResult {
  imagePackage: string
  componentId: string | null
  state: string
  bytes: number
}

export default class SideloadDeploy extends DeviceCommand<DeployResult> {
  static override summary = 'Deploy an image package (an application or a board configuration) to the attached device'
  static override description =
    'Uploads the package (staging), then installs it; the device verifies the package before installing anything. An interrupted upload leaves the device as it was.'
  static override examples = [
    '<%= config.bin %> device sideload deploy --image-package app.imagepackage',
    '<%= config.bin %> device sideload deploy -p app.imagepackage --manual-start',
  ]
  static override flags = {
    'image-package': Flags.string({char: 'p', description: 'Path to the .imagepackage file', required: true}),
    'manual-start': Flags.boolean({char: 'm', description: 'Do not start the application after installing'}),
    force: Flags.boolean({description: 'Deploy even if the image uses a Beta API (accepted for compatibility)'}),
  }
  static override columns = [
    {key: 'componentId', header: 'Component ID'},
    {key: 'state', header: 'State'},
    {key: 'bytes', header: 'Bytes'},
  ]

  async execute(): Promise<DeployResult> {
    const {flags} = await this.parse(SideloadDeploy)
    const pkg = await readInputFile(flags['image-package'], 'image package')
    const parsed = parsePackageFile(flags['image-package'], pkg)
    const componentId = parsed.identity.componentId.toLowerCase()
    const isApp = parsed.identity.imageType === IMAGE_TYPE_APPLICATIONS
    const client = await this.client()
    const bar = this.progress('Deploying', pkg.length)
    let last = 0
    try {
      try {
        await client.stage(pkg, (sent) => {
          bar.tick(sent - last)
          last = sent
        })
      } finally {
        bar.done()
      }
      await client.install(flags['manual-start'] ? 'Manual' : 'Auto')
    } catch (e) {
      // the device gives a code; the package, this machine's trust store and the device's state can tell why, and what to do
      throw (await packageRefusal(e, flags['image-package'], pkg, sphereHome(), client)) ?? e
    }
    // a board configuration has no app state: once install returned, it is installed
    const state = !isApp ? 'installed' : componentId ? (await client.appStatus(componentId)).state : 'unknown'
    return {imagePackage: flags['image-package'], componentId, state, bytes: pkg.length}
  }
}
