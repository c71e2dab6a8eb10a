import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {azColumns} from '../../../cli/output.js'
import {perApp} from './start.js'

export interface QuotaRow {
  componentId: string
  UsageKB: number
  LimitKB: number
}

export default class AppShowQuota extends DeviceCommand<QuotaRow[]> {
  static override summary = 'Show mutable storage quota and usage of applications'
  static override examples = ['<%= config.bin %> device app show-quota -i 4d46953f-51d4-43d3-83a2-a808dc36cc53']
  static override flags = {
    'component-id': Flags.string({char: 'i', description: 'Component ID of the application (default: all)'}),
  }
  static override columns = azColumns('componentId', 'UsageKB', 'LimitKB')

  async execute(): Promise<QuotaRow[]> {
    const {flags} = await this.parse(AppShowQuota)
    const client = await this.client()
    return perApp(client, flags['component-id'], (id) => client.appQuota(id))
  }
}
