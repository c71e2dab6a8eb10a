import {Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {fleetShards, requireFleet} from '../../device/fleet.js'

export default class FleetReset extends SphereCommand<{name: string; devices: number}> {
  static override summary = 'Put every device of a fleet back to its first boot (same IDs, same faults, the start image)'
  static override examples = ['<%= config.bin %> fleet reset --name lab']
  static override flags = {name: Flags.string({char: 'n', description: 'Fleet name', default: 'default'})}

  async execute(): Promise<{name: string; devices: number}> {
    const {flags} = await this.parse(FleetReset)
    const rec = requireFleet(sphereHome(), flags.name)
    const done = await Promise.all(fleetShards(rec).map((s) => s.reset()))
    return {name: flags.name, devices: done.reduce((n, d) => n + d.devices, 0)}
  }
}
