import {Args, Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {worldChanges, type WorldChange} from '../../../device/world-diff.js'

export default class WorldPress extends DeviceCommand<WorldChange[]> {
  static override summary = 'Press (and release) a button on the simulated board; prints what changed'
  static override description =
    'Holds the button for --hold virtual milliseconds (default 100), releases it, and prints each world value that changed (path, before, after): the button\'s press count, and whatever the apps did about it. `sphere device world show` prints the whole state.'
  static override examples = ['<%= config.bin %> device world press A', '<%= config.bin %> device world press B --hold 2000']
  static override args = {button: Args.string({description: 'Button name (A, B, or a world-file name)', required: true})}
  static override flags = {hold: Flags.integer({description: 'Hold time in virtual milliseconds', min: 0})}
  static override columns = [
    {key: 'path', header: 'Changed'},
    {key: 'before', header: 'Before'},
    {key: 'after', header: 'After'},
  ]

  async execute(): Promise<WorldChange[]> {
    const {args, flags} = await this.parse(WorldPress)
    const client = await this.client()
    const before = await client.world()
    return worldChanges(before, await client.press(args.button, flags.hold))
  }
}
