import {Flags} from '../../../cli/flags.js'
import {SphereCommand} from '../../../cli/base-command.js'
import {sphereHome} from '../../../cli/config.js'
import {hubClient, HUB_ROUTES, type Twin} from '../../../hub/index.js'

export default class HubDeviceTwinShow extends SphereCommand<Twin> {
  static override summary = "Show a device's twin: desired and reported properties with their $version, tags"
  static override examples = [
    '<%= config.bin %> hub device-twin show --device-id dev1',
    '<%= config.bin %> hub device-twin show -d dev1 --query properties.reported',
  ]
  static override flags = {'device-id': Flags.string({char: 'd', description: 'Device', required: true})}

  async execute(): Promise<Twin> {
    const {flags} = await this.parse(HubDeviceTwinShow)
    return await hubClient(sphereHome()).call(HUB_ROUTES.showTwin, {deviceId: flags['device-id']})
  }
}
