import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {azColumns} from '../../../cli/output.js'
import {SphereError} from '../../../util/errors.js'

export interface AppStateRow {
  componentId: string
  state: string
  gdbPort?: number
  outPort?: number
  /** Ours (show-status on a simulator): the stopped app crashed and the OS gave up restarting it. */
  crashed?: boolean
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
  static override columns = azColumns('componentId', 'state')

  async execute(): Promise<AppStateRow[]> {
    const {flags} = await this.parse(AppStart)
    if (flags['debug-mode'] && !flags['component-id']) {
      throw new SphereError('USAGE', '--debug-mode needs --component-id.', {exit: 2})
    }
    const client = await this.client()
    return perApp(client, flags['component-id'], (id) => client.setAppState(id, flags['debug-mode'] ? 'startDebug' : 'start'))
  }
}

/** The given component ID, or every installed application (except gdbserver) when none is given. */
export async function targetApps(client: import('../../../device/index.js').DeviceClient, componentId: string | undefined): Promise<string[]> {
  return componentId ? [componentId] : installedAppIds(client)
}

/** Run one request per target app, collecting `{componentId, ...result}` rows. */
export async function perApp<R extends object>(
  client: import('../../../device/index.js').DeviceClient,
  componentId: string | undefined,
  fn: (id: string) => Promise<R>,
): Promise<({componentId: string} & R)[]> {
  const out: ({componentId: string} & R)[] = []
  for (const id of await targetApps(client, componentId)) out.push({componentId: id.toLowerCase(), ...(await fn(id))})
  return out
}

export async function installedAppIds(client: import('../../../device/index.js').DeviceClient): Promise<string[]> {
  const images = await client.images()
  return images.components.filter((c) => c.image_type === 10 && c.name !== 'gdbserver').map((c) => c.uid)
}
