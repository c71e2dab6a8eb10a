import {DeviceCommand} from '../../../cli/device-command.js'

export default class WifiScan extends DeviceCommand<Record<string, unknown>[]> {
  static override summary = 'Scan for visible Wi-Fi networks (simulated networks on a simulator)'
  static override examples = ['<%= config.bin %> device wifi scan -o table']
  static override columns = [
    {key: 'ssid', header: 'SSID'},
    {key: 'bssid', header: 'BSSID'},
    {key: 'freq', header: 'Frequency'},
    {key: 'signal_level', header: 'Signal (dBm)'},
    {key: 'securityState', header: 'Security'},
  ]

  async execute(): Promise<Record<string, unknown>[]> {
    await this.parse(WifiScan)
    return (await (await this.client()).json<{values: Record<string, unknown>[]}>('GET', '/wifi/scan')).values
  }
}
