import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {WIFI_COLUMNS} from './list.js'
import type {WifiNetwork} from '../../../protocol/api/index.js'

export default class WifiDisable extends DeviceCommand<WifiNetwork> {
  static override summary = 'Disable a configured Wi-Fi network'
  static override examples = ['<%= config.bin %> device wifi disable --id 0']
  static override flags = {
    id: Flags.integer({char: 'i', description: 'Network ID (see wifi list)', required: true, min: 0}),
  }
  static override columns = WIFI_COLUMNS

  async execute(): Promise<WifiNetwork> {
    const {flags} = await this.parse(WifiDisable)
    return (await this.client()).updateWifiNetwork(flags.id, {configState: 'disabled'})
  }
}
