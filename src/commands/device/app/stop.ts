import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {azColumns} from '../../../cli/output.js'
import {perApp, type AppStateRow} from './start.js'

export default class AppStop extends DeviceCommand<AppStateRow[]> {
  static override summary = 'Stop applications on the attached device'
  static override examples = ['<%= config.bin %> device app stop --component-id 4d46953f-51d4-43d3-83a2-a808dc36cc53']
  static override flags = {
    'component-id': Flags.string({char: 'i', description: 'Component ID of the application (default: all)'}),
  }
  static override columns = azColumns('componentId', 'state')

  async execute(): Promise<AppStateRow[]> {
    const {flags} = await this.parse(AppStop)
    const client = await this.client()
    return perApp(client, flags['component-id'], (id) => client.setAppState(id, 'stop'))
  }
}
