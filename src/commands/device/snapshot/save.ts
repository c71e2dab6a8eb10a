import {Args} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {replay, type SnapshotInfo} from '../../../protocol/api/index.js'

export default class SnapshotSave extends DeviceCommand<SnapshotInfo> {
  static override summary = 'Save the whole simulated device as it is now under a name'
  static override description =
    'A snapshot holds the device state it was recorded from and every input since (images, storage, kernel objects and each app\'s memory and suspended state follow from them), with a digest of each running app\'s memory. Needs a fast-forward or recorded simulator; refused while an app holds an open host socket. Snapshots are kept under SPHERE_HOME/snapshots. See docs/replay.md.'
  static override examples = ['<%= config.bin %> device snapshot save provisioned', '<%= config.bin %> device snapshot save provisioned -d sim:lab -o json']
  static override args = {name: Args.string({description: 'Snapshot name (letters, digits, . _ -)', required: true})}
  static override columns = [
    {key: 'name', header: 'Name'},
    {key: 'virtualTimeMs', header: 'Virtual ms'},
    {key: 'inputs', header: 'Inputs'},
    {key: 'bytes', header: 'Bytes'},
  ]

  async execute(): Promise<SnapshotInfo> {
    const {args} = await this.parse(SnapshotSave)
    return (await this.client()).call(replay.saveSnapshot, {}, {name: args.name})
  }
}
