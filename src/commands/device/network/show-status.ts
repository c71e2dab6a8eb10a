import {DeviceCommand} from '../../../cli/device-command.js'
import {azColumns} from '../../../cli/output.js'

export default class NetworkShowStatus extends DeviceCommand<Record<string, unknown>> {
  static override summary = 'Show the network status of the attached device (authentication readiness, time sync, proxy)'
  static override examples = ['<%= config.bin %> device network show-status']
  static override columns = azColumns('deviceAuthenticationIsReady', 'networkTimeSync', 'proxy')

  async execute(): Promise<Record<string, unknown>> {
    await this.parse(NetworkShowStatus)
    return (await this.client()).networkStatus()
  }
}
