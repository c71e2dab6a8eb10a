import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {listFleetNames, liveFleet, readFleetRecord} from '../../device/fleet.js'

export interface FleetListRow {
  name: string
  running: boolean
  devices: number
  shards: number
  seed: string
  startedAt: string
}

export default class FleetList extends SphereCommand<FleetListRow[]> {
  static override summary = 'List fleets and whether they are running'
  static override examples = ['<%= config.bin %> fleet list -o table']
  static override columns = [
    {key: 'name', header: 'Name'},
    {key: 'running', header: 'Running'},
    {key: 'devices', header: 'Devices'},
    {key: 'shards', header: 'Shards'},
  ]

  async execute(): Promise<FleetListRow[]> {
    await this.parse(FleetList)
    const home = sphereHome()
    return listFleetNames(home).flatMap((name) => {
      const rec = readFleetRecord(home, name)
      if (!rec) return []
      return [{name, running: liveFleet(home, name) !== undefined, devices: rec.devices, shards: rec.shards.length, seed: rec.seed, startedAt: rec.startedAt}]
    })
  }
}
