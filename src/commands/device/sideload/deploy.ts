import {Flags} from '@oclif/core'
import {DeviceCommand} from '../../../cli/device-command.js'
import {readInputFile} from '../../../cli/files.js'
import {parseImagePackage} from '../../../image/index.js'

export interface DeployResult {
  imagePackage: string
  componentId: string | null
  state: string
  bytes: number
}

export default class SideloadDeploy extends DeviceCommand<DeployResult> {
  static override summary = 'Deploy an image package to the attached device'
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
    const componentId = readComponentId(pkg)
    const client = await this.client()
    const bar = this.progress('Deploying', pkg.length)
    let last = 0
    try {
      await client.stage(pkg, (sent) => {
        bar.tick(sent - last)
        last = sent
      })
    } finally {
      bar.done()
    }
    await client.install(flags['manual-start'] ? 'Manual' : 'Auto')
    const state = componentId ? (await client.appStatus(componentId)).state : 'unknown'
    return {imagePackage: flags['image-package'], componentId, state, bytes: pkg.length}
  }
}

/** Parse the package locally first, so a malformed file fails fast with the parser's message (the device verifies again). */
function readComponentId(pkg: Buffer): string | null {
  const parsed = parseImagePackage(pkg)
  return parsed.identity.componentId.toLowerCase()
}
