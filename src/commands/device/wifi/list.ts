import {DeviceCommand} from '../../../cli/device-command.js'

export const WIFI_COLUMNS = [
  {key: 'id', header: 'ID'},
  {key: 'ssid', header: 'SSID'},
  {key: 'configState', header: 'Config state'},
  {key: 'connectionState', header: 'Connection state'},
  {key: 'securityState', header: 'Security state'},
  {key: 'targetedScan', header: 'Targeted scan'},
]

export default class WifiList extends DeviceCommand<Record<string, unknown>[]> {
  static override summary = 'List the Wi-Fi networks configured on the attached device'
  static override examples = ['<%= config.bin %> device wifi list -o table']
  static override columns = WIFI_COLUMNS

  async execute(): Promise<Record<string, unknown>[]> {
    await this.parse(WifiList)
    return (await (await this.client()).json<{values: Record<string, unknown>[]}>('GET', '/wifi/config/networks')).values
  }
}
