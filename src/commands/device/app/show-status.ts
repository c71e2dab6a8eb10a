import {Flags} from '@oclif/core'
import {DeviceCommand} from '../../../cli/device-command.js'
import {perApp, type AppStateRow} from './start.js'

export default class AppShowStatus extends DeviceCommand<AppStateRow[]> {
  static override summary = 'Show the state of applications on the attached device'
  static override examples = ['<%= config.bin %> device app show-status', '<%= config.bin %> device app show-status -i 4d46953f-51d4-43d3-83a2-a808dc36cc53 --query "[0].state"']
  static override flags = {
    'component-id': Flags.string({char: 'i', description: 'Component ID of the application (default: all)'}),
  }
  static override columns = [
    {key: 'componentId', header: 'Component ID'},
    {key: 'state', header: 'State'},
  ]

  async execute(): Promise<AppStateRow[]> {
    const {flags} = await this.parse(AppShowStatus)
    const client = await this.client()
    return perApp(client, flags['component-id'], (id) => client.appStatus(id))
  }
}
