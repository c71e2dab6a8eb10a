import {DeviceCommand} from '../../../cli/device-command.js'
import {azColumns} from '../../../cli/output.js'

export default class ManufacturingStateShow extends DeviceCommand<{manufacturingState: string}> {
  static override summary = 'Show the manufacturing state of the attached device'
  static override examples = ['<%= config.bin %> device manufacturing-state show']
  static override columns = azColumns('manufacturingState')

  async execute(): Promise<{manufacturingState: string}> {
    await this.parse(ManufacturingStateShow)
    return (await this.client()).manufacturingState()
  }
}
