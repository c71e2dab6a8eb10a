import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {discoverDevices, type DiscoveredDevice} from '../../device/discovery.js'

export default class ListAttached extends SphereCommand<DiscoveredDevice[]> {
  static override summary = 'List attached devices: running simulators and serial boards that answer'
  static override examples = ['<%= config.bin %> device list-attached -o table']
  static override columns = [
    {key: 'deviceId', header: 'Device ID'},
    {key: 'connectionPath', header: 'Connection path'},
    {key: 'kind', header: 'Kind'},
    {key: 'device', header: '--device value'},
  ]

  async execute(): Promise<DiscoveredDevice[]> {
    await this.parse(ListAttached)
    return discoverDevices(sphereHome())
  }
}
