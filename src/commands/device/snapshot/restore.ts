import {Args} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {replay, type SnapshotInfo} from '../../../protocol/api/index.js'

export default class SnapshotRestore extends DeviceCommand<SnapshotInfo> {
  static override summary = 'Replace the simulated device with a saved snapshot; it continues from there'
  static override description =
    "The snapshot's inputs are replayed on a fresh device in the simulator's state directory and every app's memory is checked against the snapshot; the device then runs on exactly as the original did. If the check fails the device boots from the state it had on disk before (as after a power loss) and the command fails. See docs/replay.md."
  static override examples = ['<%= config.bin %> device snapshot restore provisioned']
  static override args = {name: Args.string({description: 'Snapshot name', required: true})}
  static override columns = snapshotColumns()

  async execute(): Promise<SnapshotInfo> {
    const {args} = await this.parse(SnapshotRestore)
    return (await this.client()).call(replay.restoreSnapshot, {name: args.name})
  }
}

function snapshotColumns() {
  return [
    {key: 'name', header: 'Name'},
    {key: 'virtualTimeMs', header: 'Virtual ms'},
    {key: 'inputs', header: 'Inputs'},
  ]
}
