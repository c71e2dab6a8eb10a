import {SphereCommand} from '../../../cli/base-command.js'
import {sphereHome} from '../../../cli/config.js'
import {hubClient, HUB_ROUTES, type DeviceIdentity} from '../../../hub/index.js'

export default class HubDeviceIdentityList extends SphereCommand<DeviceIdentity[]> {
  static override summary = 'List the devices registered with the local hub'
  static override examples = [
    '<%= config.bin %> hub device-identity list',
    '<%= config.bin %> hub device-identity list --query "[].deviceId"',
  ]
  static override columns = [
    {key: 'deviceId', header: 'Device ID'},
    {key: 'authentication.type', header: 'Authentication'},
    {key: 'connectionState', header: 'Connection'},
    {key: 'status', header: 'Status'},
    {key: 'createdBy', header: 'Registered by'},
  ]

  async execute(): Promise<DeviceIdentity[]> {
    await this.parse(HubDeviceIdentityList)
    return await hubClient(sphereHome()).call(HUB_ROUTES.listDevices)
  }
}
