import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {azColumns} from '../../../cli/output.js'
import {perApp, type AppStateRow} from './start.js'

export default class AppShowStatus extends DeviceCommand<AppStateRow[]> {
  static override summary = 'Show the state of applications on the attached device'
  static override examples = ['<%= config.bin %> device app show-status', '<%= config.bin %> device app show-status -i 4d46953f-51d4-43d3-83a2-a808dc36cc53 --query "[0].state"']
  static override flags = {
    'component-id': Flags.string({char: 'i', description: 'Component ID of the application (default: all)'}),
  }
  static override columns = azColumns('componentId', 'state')

  async execute(): Promise<AppStateRow[]> {
    const {flags} = await this.parse(AppShowStatus)
    const client = await this.client()
    // A device reports running/stopped/debugging/notPresent, and so does this command (as azsphere); a simulator
    // also says which stopped apps crashed (/sphere/apps): that goes under a key of ours, `crashed`, beside the state.
    // Asked once, and only when an app is stopped (no request when none is).
    let crashed: Promise<Set<string>> | undefined
    const crashedApps = (): Promise<Set<string>> =>
      (crashed ??= client
        .apps()
        .catch(() => [])
        .then((apps) => new Set(apps.filter((a) => a.state === 'crashed').map((a) => a.componentId.toLowerCase()))))
    return perApp(client, flags['component-id'], async (id) => {
      const st = await client.appStatus(id)
      return st.state === 'stopped' && (await crashedApps()).has(id.toLowerCase()) ? {...st, crashed: true} : st
    })
  }
}
