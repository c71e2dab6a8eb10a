import {Flags} from '../../cli/flags.js'
import {rmSync} from 'node:fs'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {assertSimName, simDir, stopDaemon} from '../../device/index.js'

export default class SimReset extends SphereCommand<{name: string; wasRunning: boolean; reset: boolean}> {
  static override summary = 'Stop a simulator and erase its state (installed apps, storage, identity)'
  static override examples = ['<%= config.bin %> sim reset --name lab']
  static override flags = {
    name: Flags.string({char: 'n', description: 'Simulator name', default: 'default'}),
  }

  async execute(): Promise<{name: string; wasRunning: boolean; reset: boolean}> {
    const {flags} = await this.parse(SimReset)
    assertSimName(flags.name)
    const home = sphereHome()
    const wasRunning = await stopDaemon(home, flags.name)
    rmSync(simDir(home, flags.name), {recursive: true, force: true})
    return {name: flags.name, wasRunning, reset: true}
  }
}
