import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {WIFI_COLUMNS} from './list.js'

export default class WifiForget extends DeviceCommand<Record<string, unknown>> {
  static override summary = 'Remove a configured Wi-Fi network'
  static override examples = ['<%= config.bin %> device wifi forget --id 0']
  static override flags = {
    id: Flags.integer({char: 'i', description: 'Network ID (see wifi list)', required: true, min: 0}),
  }
  static override columns = WIFI_COLUMNS

  async execute(): Promise<Record<string, unknown>> {
    const {flags} = await this.parse(WifiForget)
    return (await this.client()).forgetWifiNetwork(flags.id)
  }
}
