import {Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {assertFleetName, stopFleet} from '../../device/fleet.js'

export default class FleetStop extends SphereCommand<{name: string; stopped: boolean}> {
  static override summary = 'Stop a fleet (every shard process); in-memory device state is discarded'
  static override examples = ['<%= config.bin %> fleet stop --name lab']
  static override flags = {name: Flags.string({char: 'n', description: 'Fleet name', default: 'default'})}

  async execute(): Promise<{name: string; stopped: boolean}> {
    const {flags} = await this.parse(FleetStop)
    assertFleetName(flags.name)
    return {name: flags.name, stopped: await stopFleet(sphereHome(), flags.name)}
  }
}
