import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {parsePackageFile, readInputFile} from '../../../cli/files.js'

export default class OtaDeploy extends DeviceCommand<{componentId: string; state: string}> {
  static override summary = 'Deliver an app update the way a cloud deployment does: A/B slot, trial, automatic rollback'
  static override description =
    'Unlike `device sideload deploy` (which replaces the app in place, as a development device does), the new image goes into the other A/B slot and runs on trial; if it fails to start 3 times the device restores the previous image. See `device ota show` for the history.'
  static override examples = ['<%= config.bin %> device ota deploy --image-package app-v2.imagepackage']
  static override flags = {'image-package': Flags.string({char: 'p', description: 'Path to the .imagepackage file', required: true})}
  static override columns = [
    {key: 'componentId', header: 'Component ID'},
    {key: 'state', header: 'State'},
  ]

  async execute(): Promise<{componentId: string; state: string}> {
    const {flags} = await this.parse(OtaDeploy)
    const pkg = await readInputFile(flags['image-package'], 'image package')
    parsePackageFile(flags['image-package'], pkg) // fail fast on a malformed file; the device verifies the signature
    return (await this.client()).applyUpdate(pkg)
  }
}
