import {DeviceCommand} from '../../../cli/device-command.js'
import type {SphereUpdateStatus} from '../../../protocol/rest-api.js'

export default class OtaShow extends DeviceCommand<SphereUpdateStatus> {
  static override summary = 'Show the update agent state: OS version and slots, app updates on trial, rollback history'
  static override examples = ['<%= config.bin %> device ota show', '<%= config.bin %> device ota show --query history']

  async execute(): Promise<SphereUpdateStatus> {
    await this.parse(OtaShow)
    return (await this.client()).updates()
  }
}
