import {DeviceCommand} from '../../../cli/device-command.js'
import {azColumns} from '../../../cli/output.js'
import type {WifiNetwork} from '../../../protocol/api/index.js'

export const WIFI_COLUMNS = azColumns('id', 'ssid', 'configState', 'connectionState', 'securityState', 'targetedScan')

export default class WifiList extends DeviceCommand<{values: WifiNetwork[]}> {
  static override summary = 'List the Wi-Fi networks configured on the attached device'
  static override examples = ['<%= config.bin %> device wifi list -o table']
  static override tableRows = 'values'
  static override columns = WIFI_COLUMNS

  async execute(): Promise<{values: WifiNetwork[]}> {
    await this.parse(WifiList)
    return {values: (await (await this.client()).wifiNetworks()).values}
  }
}
