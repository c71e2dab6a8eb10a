import {DeviceCommand} from '../../../cli/device-command.js'

export default class OtaShow extends DeviceCommand<Record<string, unknown>> {
  static override summary = 'Show the update agent state: OS version and slots, app updates on trial, rollback history'
  static override examples = ['<%= config.bin %> device ota show', '<%= config.bin %> device ota show --query history']

  async execute(): Promise<Record<string, unknown>> {
    await this.parse(OtaShow)
    return (await this.client()).json('GET', '/sphere/updates')
  }
}
