import {Flags} from '../../../cli/flags.js'
import {SphereCommand} from '../../../cli/base-command.js'
import {sphereHome} from '../../../cli/config.js'
import {hubClient, HUB_ROUTES, type DeviceIdentity} from '../../../hub/index.js'

export default class HubDeviceIdentityShow extends SphereCommand<DeviceIdentity> {
  static override summary = "Show a device's registry entry"
  static override examples = ['<%= config.bin %> hub device-identity show --device-id dev1']
  static override flags = {'device-id': Flags.string({char: 'd', description: 'Device', required: true})}

  async execute(): Promise<DeviceIdentity> {
    const {flags} = await this.parse(HubDeviceIdentityShow)
    return await hubClient(sphereHome()).call(HUB_ROUTES.showDevice, {deviceId: flags['device-id']})
  }
}
