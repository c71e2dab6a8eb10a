import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'

export default class NetworkDisable extends DeviceCommand<{interfaceName: string; interfaceUp: boolean}> {
  static override summary = 'Disable a network interface on the attached device'
  static override examples = ['<%= config.bin %> device network disable --interface wlan0']
  static override flags = {
    interface: Flags.string({description: 'Interface name (see list-interfaces)', required: true}),
  }

  async execute(): Promise<{interfaceName: string; interfaceUp: boolean}> {
    const {flags} = await this.parse(NetworkDisable)
    const client = await this.client()
    await client.setNetworkInterface(flags.interface, false)
    const now = await client.networkInterface(flags.interface)
    return {interfaceName: flags.interface, interfaceUp: now.interfaceUp ?? false}
  }
}
