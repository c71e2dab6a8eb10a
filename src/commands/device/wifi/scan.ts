import {DeviceCommand} from '../../../cli/device-command.js'
import {azColumns} from '../../../cli/output.js'
import type {WifiScanResult} from '../../../protocol/api/index.js'

export default class WifiScan extends DeviceCommand<{values: WifiScanResult[]}> {
  static override summary = 'Scan for visible Wi-Fi networks (simulated networks on a simulator)'
  static override examples = ['<%= config.bin %> device wifi scan -o table']
  static override tableRows = 'values'
  static override columns = azColumns('bssid', 'freq', 'signal_level', 'ssid', 'securityState')

  async execute(): Promise<{values: WifiScanResult[]}> {
    await this.parse(WifiScan)
    return {values: (await (await this.client()).wifiScan()).values}
  }
}
