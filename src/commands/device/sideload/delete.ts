import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {normaliseComponentId} from '../../../device/index.js'
import {installedAppIds} from '../app/start.js'

export default class SideloadDelete extends DeviceCommand<{deleted: string[]}> {
  static override summary = 'Delete applications from the attached device'
  static override examples = [
    '<%= config.bin %> device sideload delete --component-id 4d46953f-51d4-43d3-83a2-a808dc36cc53',
    '<%= config.bin %> device sideload delete --except-component-ids d2d461c4-d90f-4a29-8b4a-2a0ab9d3a9e5',
  ]
  static override flags = {
    'component-id': Flags.string({char: 'i', description: 'Component ID to delete (default: all applications)'}),
    'except-component-ids': Flags.string({char: 'e', description: 'Component IDs to keep', multiple: true}),
  }

  async execute(): Promise<{deleted: string[]}> {
    const {flags} = await this.parse(SideloadDelete)
    const client = await this.client()
    const keep = new Set((flags['except-component-ids'] ?? []).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean).map(normaliseComponentId))
    const ids = flags['component-id'] ? [normaliseComponentId(flags['component-id'])] : await installedAppIds(client)
    const deleted: string[] = []
    for (const id of ids) {
      if (keep.has(id)) continue
      await client.deleteApp(id)
      deleted.push(id)
    }
    return {deleted}
  }
}
