import {DeviceCommand} from '../../../cli/device-command.js'
import type {NetInterface} from '../../../protocol/api/index.js'

export default class NetworkListInterfaces extends DeviceCommand<NetInterface[]> {
  static override summary = 'List the network interfaces of the attached device'
  static override examples = ['<%= config.bin %> device network list-interfaces -o table']
  static override columns = [
    {key: 'interfaceName', header: 'Interface'},
    {key: 'interfaceUp', header: 'Up'},
    {key: 'connectedToNetwork', header: 'Connected'},
    {key: 'ipAcquired', header: 'IP acquired'},
    {key: 'ipAddresses', header: 'IP addresses'},
    {key: 'hardwareAddress', header: 'Hardware address'},
  ]

  async execute(): Promise<NetInterface[]> {
    await this.parse(NetworkListInterfaces)
    return (await (await this.client()).networkInterfaces()).interfaces
  }
}
