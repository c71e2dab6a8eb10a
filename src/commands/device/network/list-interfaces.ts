import {DeviceCommand} from '../../../cli/device-command.js'
import {azColumns} from '../../../cli/output.js'
import type {NetInterface} from '../../../protocol/api/index.js'

export default class NetworkListInterfaces extends DeviceCommand<{interfaces: NetInterface[]}> {
  static override summary = 'List the network interfaces of the attached device'
  static override examples = [
    '<%= config.bin %> device network list-interfaces -o table',
    '<%= config.bin %> device network list-interfaces --query "interfaces[].interfaceName" -o tsv',
  ]
  static override tableRows = 'interfaces'
  static override columns = azColumns(
    'interfaceName',
    'interfaceUp',
    'connectedToNetwork',
    'ipAcquired',
    'connectedToInternet',
    'ipAddresses',
    'hardwareAddress',
    'ipAssignment',
  )

  async execute(): Promise<{interfaces: NetInterface[]}> {
    await this.parse(NetworkListInterfaces)
    return {interfaces: (await (await this.client()).networkInterfaces()).interfaces}
  }
}
