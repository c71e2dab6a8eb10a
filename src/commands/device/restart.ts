import {DeviceCommand} from '../../cli/device-command.js'
import {azColumns} from '../../cli/output.js'
import {SphereError} from '../../util/errors.js'

/** The device's answer to POST /restart, as azsphere prints it; then ours: the uptime once it answers again. */
export interface RestartResult {
  restartingSystem: boolean
  uptime: number
}

export default class Restart extends DeviceCommand<RestartResult> {
  static override summary = 'Restart the attached device and wait until it answers again'
  static override examples = ['<%= config.bin %> device restart']
  static override columns = azColumns('restartingSystem', 'uptime')

  async execute(): Promise<RestartResult> {
    await this.parse(Restart)
    const client = await this.client()
    const {restartingSystem} = await client.restart()
    const deadline = Date.now() + 30_000
    await new Promise((r) => setTimeout(r, 200))
    while (Date.now() < deadline) {
      try {
        const s = await client.status()
        return {restartingSystem, uptime: s.uptime}
      } catch {
        await new Promise((r) => setTimeout(r, 250))
      }
    }
    throw new SphereError('RESTART_TIMEOUT', 'The device did not come back within 30 s after the restart.')
  }
}
