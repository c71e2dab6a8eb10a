import {Flags} from '../../cli/flags.js'
import {DeviceCommand} from '../../cli/device-command.js'

export default class EnableDevelopment extends DeviceCommand<{deviceId: string; capabilities: string[]}> {
  static override summary = 'Enable sideloading and debugging on the attached device'
  static override description =
    'On a simulator this grants the appDevelopment capability locally (no cloud). --catalog/--resource-group are accepted for script compatibility and ignored.'
  static override examples = ['<%= config.bin %> device enable-development']
  static override flags = {
    'enable-rt-core-debugging': Flags.boolean({char: 'r', description: 'Also allow real-time core debugging'}),
    catalog: Flags.string({char: 'c', description: 'Ignored locally (cloud catalog)'}),
    'resource-group': Flags.string({char: 'g', description: 'Ignored locally (cloud resource group)'}),
    'device-group': Flags.string({short: 'dg', description: 'Ignored locally'}),
    product: Flags.string({char: 'p', description: 'Ignored locally'}),
  }

  async execute(): Promise<{deviceId: string; capabilities: string[]}> {
    const {flags} = await this.parse(EnableDevelopment)
    const client = await this.client()
    // RT-core debugging needs host drivers on Windows; the simulator has no RT core to debug, so it grants the same.
    if (flags['enable-rt-core-debugging']) this.verboseLine('The simulator has no real-time core; --enable-rt-core-debugging changes nothing.')
    await client.grantCapabilities(['appDevelopment'])
    const info = await client.deviceInfo()
    return {deviceId: info.deviceId, capabilities: info.capabilities as string[]}
  }
}
