import {DeviceCommand} from '../../../../cli/device-command.js'
import {azColumns} from '../../../../cli/output.js'
import type {ProxyConfig} from '../../../../protocol/api/index.js'

export default class ProxyShow extends DeviceCommand<ProxyConfig | Record<string, never>> {
  static override summary = 'Show the network proxy configuration of the attached device'
  static override examples = ['<%= config.bin %> device network proxy show']
  static override columns = azColumns('address', 'enabled', 'port', 'authenticationType', 'noProxyAddresses', 'username')

  async execute(): Promise<ProxyConfig | Record<string, never>> {
    await this.parse(ProxyShow)
    return (await this.client()).proxy()
  }
}
