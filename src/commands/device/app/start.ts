import {Flags} from '@oclif/core'
import {DeviceCommand} from '../../../cli/device-command.js'
import {SphereError} from '../../../util/errors.js'

export interface AppStateRow {
  componentId: string
  state: string
  gdbPort?: number
  outPort?: number
}

export default class AppStart extends DeviceCommand<AppStateRow[]> {
  static override summary = 'Start applications on the attached device'
  static override description = 'Starts the given application, or every installed application when --component-id is omitted.'
  static override examples = [
    '<%= config.bin %> device app start --component-id 4d46953f-51d4-43d3-83a2-a808dc36cc53',
    '<%= config.bin %> device app start -i 4d46953f-51d4-43d3-83a2-a808dc36cc53 --debug-mode',
  ]
  static override flags = {
    'component-id': Flags.string({char: 'i', description: 'Component ID of the application (default: all)'}),
    'debug-mode': Flags.boolean({description: 'Start under the debug server (needs --component-id)'}),
  }
  static override columns = [
    {key: 'componentId', header: 'Component ID'},
    {key: 'state', header: 'State'},
  ]

  async execute(): Promise<AppStateRow[]> {
    const {flags} = await this.parse(AppStart)
    if (flags['debug-mode'] && !flags['component-id']) {
      throw new SphereError('USAGE', '--debug-mode needs --component-id.', {exit: 2})
    }
    const client = await this.client()
    const ids = flags['component-id'] ? [flags['component-id']] : await installedAppIds(client)
    const out: AppStateRow[] = []
    for (const id of ids) {
      const r = await client.setAppState(id, flags['debug-mode'] ? 'startDebug' : 'start')
      out.push({componentId: id.toLowerCase(), ...r})
    }
    return out
  }
}

export async function installedAppIds(client: import('../../../device/index.js').DeviceClient): Promise<string[]> {
  const images = await client.images()
  return images.components.filter((c) => c.image_type === 10 && c.name !== 'gdbserver').map((c) => c.uid)
}
