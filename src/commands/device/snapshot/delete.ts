import {Args} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {replay} from '../../../protocol/api/index.js'

export default class SnapshotDelete extends DeviceCommand<{deleted: string}> {
  static override summary = 'Delete a saved device snapshot'
  static override examples = ['<%= config.bin %> device snapshot delete provisioned']
  static override args = {name: Args.string({description: 'Snapshot name', required: true})}

  async execute(): Promise<{deleted: string}> {
    const {args} = await this.parse(SnapshotDelete)
    await (await this.client()).call(replay.deleteSnapshot, {name: args.name})
    return {deleted: args.name}
  }
}
