import {DeviceCommand} from '../../../cli/device-command.js'
import {azColumns} from '../../../cli/output.js'

export default class WifiShowStatus extends DeviceCommand<Record<string, unknown>> {
  static override summary = 'Show the status of the wireless interface of the attached device'
  static override examples = ['<%= config.bin %> device wifi show-status']
  static override columns = azColumns('ssid', 'configState', 'connectionState', 'securityState', 'mode', 'key_mgmt', 'wpa_state', 'address', 'freq', 'ip_address', 'id')

  async execute(): Promise<Record<string, unknown>> {
    await this.parse(WifiShowStatus)
    return (await this.client()).wifiInterface()
  }
}
