import {DeviceCommand} from '../../../../cli/device-command.js'

export default class ProxyShow extends DeviceCommand<Record<string, unknown>> {
  static override summary = 'Show the network proxy configuration of the attached device'
  static override examples = ['<%= config.bin %> device network proxy show']

  async execute(): Promise<Record<string, unknown>> {
    await this.parse(ProxyShow)
    return (await this.client()).json('GET', '/net/proxy')
  }
}
