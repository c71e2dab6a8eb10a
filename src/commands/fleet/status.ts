import {Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {fleetMembers, requireFleet} from '../../device/fleet.js'
import {aggregateMembers, type FleetAggregate, type MemberSummary} from '../../protocol/fleet.js'

export interface FleetStatusResult extends FleetAggregate {
  name: string
  shards: number
  seed: string
  startedAt: string
  members?: MemberSummary[]
}

export default class FleetStatus extends SphereCommand<FleetStatusResult> {
  static override summary = 'Show a fleet: devices by OS version, app version and state, faults, tags, the worst devices'
  static override examples = ['<%= config.bin %> fleet status --name lab', '<%= config.bin %> fleet status --name lab --members --query "members[?crashes > `0`].index"']
  static override flags = {
    name: Flags.string({char: 'n', description: 'Fleet name', default: 'default'}),
    members: Flags.boolean({description: 'Also list every member (index, device ID, apps, tags, faults, crashes)'}),
  }

  async execute(): Promise<FleetStatusResult> {
    const {flags} = await this.parse(FleetStatus)
    const rec = requireFleet(sphereHome(), flags.name)
    const members = await fleetMembers(rec)
    return {
      name: rec.name,
      shards: rec.shards.length,
      seed: rec.seed,
      startedAt: rec.startedAt,
      ...aggregateMembers(members),
      ...(flags.members ? {members} : {}),
    }
  }
}
