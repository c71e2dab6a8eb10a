import {DeviceCommand} from '../../../cli/device-command.js'
import {replay, type SnapshotInfo} from '../../../protocol/api/index.js'

export default class SnapshotList extends DeviceCommand<SnapshotInfo[]> {
  static override summary = 'List saved device snapshots'
  static override examples = ['<%= config.bin %> device snapshot list -o table']
  static override columns = [
    {key: 'name', header: 'Name'},
    {key: 'createdAt', header: 'Created'},
    {key: 'virtualTimeMs', header: 'Virtual ms'},
    {key: 'inputs', header: 'Inputs'},
    {key: 'bytes', header: 'Bytes'},
  ]

  async execute(): Promise<SnapshotInfo[]> {
    await this.parse(SnapshotList)
    return (await this.client()).call(replay.snapshots, {})
  }
}
