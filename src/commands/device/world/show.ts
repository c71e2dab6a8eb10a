import {DeviceCommand} from '../../../cli/device-command.js'

export default class WorldShow extends DeviceCommand<Record<string, unknown>> {
  static override summary = "Show the simulated board's surroundings: LEDs, buttons, pin levels, sensors"
  static override examples = ['<%= config.bin %> device world show', '<%= config.bin %> device world show --query "leds[?on].name"']

  async execute(): Promise<Record<string, unknown>> {
    await this.parse(WorldShow)
    return (await this.client()).world()
  }
}
