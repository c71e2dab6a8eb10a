import {Args} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {worldChanges, type WorldChange} from '../../../device/world-diff.js'
import {SphereError} from '../../../util/errors.js'

export default class WorldSet extends DeviceCommand<WorldChange[]> {
  static override summary = 'Change world inputs: sensor values, ADC voltages, button states'
  static override description =
    'Each argument is PATH=VALUE, e.g. adc.0.0=1.65 or sensors.lsm6ds3.temperature=25.5; VALUE is parsed as JSON when it can be. Prints each world value that changed (path, before, after); `sphere device world show` prints the whole state.'
  static override columns = [
    {key: 'path', header: 'Changed'},
    {key: 'before', header: 'Before'},
    {key: 'after', header: 'After'},
  ]
  static override examples = ['<%= config.bin %> device world set adc.0.0=1.65', '<%= config.bin %> device world set buttons.A=true']
  static override strict = false
  static override args = {assignment: Args.string({description: 'PATH=VALUE', required: true})}

  async execute(): Promise<WorldChange[]> {
    const {argv} = await this.parse(WorldSet)
    const set: Record<string, unknown> = {}
    for (const a of argv as string[]) {
      const i = a.indexOf('=')
      if (i <= 0) throw new SphereError('USAGE', `Expected PATH=VALUE, got '${a}'.`, {exit: 2})
      const raw = a.slice(i + 1)
      let v: unknown = raw
      try {
        v = JSON.parse(raw)
      } catch {
        // a plain string
      }
      set[a.slice(0, i)] = v
    }
    const client = await this.client()
    const before = await client.world()
    return worldChanges(before, await client.setWorld(set))
  }
}
