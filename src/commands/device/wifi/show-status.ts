import {DeviceCommand} from '../../../cli/device-command.js'

export default class WifiShowStatus extends DeviceCommand<Record<string, unknown>> {
  static override summary = 'Show the status of the wireless interface of the attached device'
  static override examples = ['<%= config.bin %> device wifi show-status']

  async execute(): Promise<Record<string, unknown>> {
    await this.parse(WifiShowStatus)
    return (await this.client()).wifiInterface()
  }
}
