import {DeviceCommand} from '../../../../cli/device-command.js'

export default class ProxyDelete extends DeviceCommand<Record<string, unknown>> {
  static override summary = 'Delete the network proxy configuration of the attached device'
  static override examples = ['<%= config.bin %> device network proxy delete']

  async execute(): Promise<Record<string, unknown>> {
    await this.parse(ProxyDelete)
    return (await this.client()).deleteProxy()
  }
}
