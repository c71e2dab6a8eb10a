import {DeviceCommand} from '../../cli/device-command.js'
import {SphereError} from '../../util/errors.js'

export default class Restart extends DeviceCommand<{restarted: boolean; uptime: number}> {
  static override summary = 'Restart the attached device and wait until it answers again'
  static override examples = ['<%= config.bin %> device restart']

  async execute(): Promise<{restarted: boolean; uptime: number}> {
    await this.parse(Restart)
    const client = await this.client()
    await client.restart()
    const deadline = Date.now() + 30_000
    await new Promise((r) => setTimeout(r, 200))
    while (Date.now() < deadline) {
      try {
        const s = await client.status()
        return {restarted: true, uptime: s.uptime}
      } catch {
        await new Promise((r) => setTimeout(r, 250))
      }
    }
    throw new SphereError('RESTART_TIMEOUT', 'The device did not come back within 30 s after the restart.')
  }
}
