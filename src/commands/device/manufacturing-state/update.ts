import {Flags} from '../../../cli/flags.js'
import {azColumns} from '../../../cli/output.js'
import {DeviceCommand} from '../../../cli/device-command.js'

export default class ManufacturingStateUpdate extends DeviceCommand<{manufacturingState: string}> {
  static override summary = 'Set the manufacturing state of the attached device (PERMANENT, irreversible)'
  static override description =
    'DeviceComplete locks the device: sideloading and other local commands are refused unless a fieldServicing capability is applied.'
  static override examples = ['<%= config.bin %> device manufacturing-state update --state DeviceComplete']
  static override columns = azColumns('manufacturingState')
  static override flags = {
    state: Flags.string({char: 's', description: 'New state', options: ['Module1Complete', 'DeviceComplete'], required: true}),
  }

  async execute(): Promise<{manufacturingState: string}> {
    const {flags} = await this.parse(ManufacturingStateUpdate)
    const client = await this.client()
    await client.setManufacturingState(flags.state as 'Module1Complete' | 'DeviceComplete')
    return client.manufacturingState()
  }
}
