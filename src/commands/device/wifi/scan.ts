import {DeviceCommand} from '../../../cli/device-command.js'
import type {WifiScanResult} from '../../../protocol/api/index.js'

export default class WifiScan extends DeviceCommand<WifiScanResult[]> {
  static override summary = 'Scan for visible Wi-Fi networks (simulated networks on a simulator)'
  static override examples = ['<%= config.bin %> device wifi scan -o table']
  static override columns = [
    {key: 'ssid', header: 'SSID'},
    {key: 'bssid', header: 'BSSID'},
    {key: 'freq', header: 'Frequency'},
    {key: 'signal_level', header: 'Signal (dBm)'},
    {key: 'securityState', header: 'Security'},
  ]

  async execute(): Promise<WifiScanResult[]> {
    await this.parse(WifiScan)
    return (await (await this.client()).wifiScan()).values
  }
}
