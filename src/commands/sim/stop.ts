import {Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {assertSimName, listSimNames, stopDaemon} from '../../device/index.js'

export default class SimStop extends SphereCommand<{name: string; stopped: boolean}[]> {
  static override summary = 'Stop a simulator daemon (its state is kept)'
  static override examples = ['<%= config.bin %> sim stop', '<%= config.bin %> sim stop --name lab', '<%= config.bin %> sim stop --all']
  static override flags = {
    name: Flags.string({char: 'n', description: 'Simulator name', default: 'default'}),
    all: Flags.boolean({description: 'Stop every running simulator'}),
  }
  static override columns = [
    {key: 'name', header: 'Name'},
    {key: 'stopped', header: 'Stopped'},
  ]

  async execute(): Promise<{name: string; stopped: boolean}[]> {
    const {flags} = await this.parse(SimStop)
    const home = sphereHome()
    const names = flags.all ? listSimNames(home) : [flags.name]
    const out: {name: string; stopped: boolean}[] = []
    for (const name of names) {
      assertSimName(name)
      out.push({name, stopped: await stopDaemon(home, name)})
    }
    return out
  }
}
