import {DeviceCommand} from '../../../cli/device-command.js'

export default class WifiReloadConfig extends DeviceCommand<Record<string, unknown>> {
  static override summary = 'Reload the Wi-Fi configuration (after certificate changes)'
  static override examples = ['<%= config.bin %> device wifi reload-config']

  async execute(): Promise<Record<string, unknown>> {
    await this.parse(WifiReloadConfig)
    return (await this.client()).reloadWifiConfig()
  }
}
