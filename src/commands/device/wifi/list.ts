import {DeviceCommand} from '../../../cli/device-command.js'
import type {WifiNetwork} from '../../../protocol/api/index.js'

export const WIFI_COLUMNS = [
  {key: 'id', header: 'ID'},
  {key: 'ssid', header: 'SSID'},
  {key: 'configState', header: 'Config state'},
  {key: 'connectionState', header: 'Connection state'},
  {key: 'securityState', header: 'Security state'},
  {key: 'targetedScan', header: 'Targeted scan'},
]

export default class WifiList extends DeviceCommand<WifiNetwork[]> {
  static override summary = 'List the Wi-Fi networks configured on the attached device'
  static override examples = ['<%= config.bin %> device wifi list -o table']
  static override columns = WIFI_COLUMNS

  async execute(): Promise<WifiNetwork[]> {
    await this.parse(WifiList)
    return (await (await this.client()).wifiNetworks()).values
  }
}
