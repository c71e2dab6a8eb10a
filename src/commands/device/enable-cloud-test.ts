import {Flags} from '../../cli/flags.js'
import {DeviceCommand} from '../../cli/device-command.js'

export default class EnableCloudTest extends DeviceCommand<{deviceId: string; capabilities: string[]}> {
  static override summary = 'Disable development mode: removes appDevelopment, deletes sideloaded apps, as for field test'
  static override examples = ['<%= config.bin %> device enable-cloud-test']
  static override flags = {
    catalog: Flags.string({char: 'c', description: 'Ignored locally (cloud catalog)'}),
    'resource-group': Flags.string({char: 'g', description: 'Ignored locally (cloud resource group)'}),
    'device-group': Flags.string({short: 'dg', description: 'Ignored locally'}),
    product: Flags.string({char: 'p', description: 'Ignored locally'}),
  }

  async execute(): Promise<{deviceId: string; capabilities: string[]}> {
    await this.parse(EnableCloudTest)
    const client = await this.client()
    const images = await client.images()
    for (const c of images.components) if (c.image_type === 10 && c.name !== 'gdbserver') await client.deleteApp(c.uid)
    await client.revokeCapabilities(['appDevelopment'])
    const info = await client.deviceInfo()
    return {deviceId: info.deviceId, capabilities: info.capabilities as string[]}
  }
}
