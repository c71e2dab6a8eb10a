import {Args, Flags} from '@oclif/core'
import {DeviceCommand} from '../../../cli/device-command.js'

export default class WorldPress extends DeviceCommand<Record<string, unknown>> {
  static override summary = 'Press (and release) a button on the simulated board'
  static override examples = ['<%= config.bin %> device world press A', '<%= config.bin %> device world press B --hold 2000']
  static override args = {button: Args.string({description: 'Button name (A, B, or a world-file name)', required: true})}
  static override flags = {hold: Flags.integer({description: 'Hold time in virtual milliseconds', min: 0})}

  async execute(): Promise<Record<string, unknown>> {
    const {args, flags} = await this.parse(WorldPress)
    return (await this.client()).press(args.button, flags.hold)
  }
}
