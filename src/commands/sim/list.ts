import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {listSimNames, liveDaemon, simDir} from '../../device/index.js'

export interface SimListRow {
  name: string
  running: boolean
  pid: number | null
  deviceId: string | null
  serialPath: string | null
  listen: string | null
  stateDir: string
}

export default class SimList extends SphereCommand<SimListRow[]> {
  static override summary = 'List simulators and whether they are running'
  static override examples = ['<%= config.bin %> sim list -o table']
  static override columns = [
    {key: 'name', header: 'Name'},
    {key: 'running', header: 'Running'},
    {key: 'pid', header: 'PID'},
    {key: 'serialPath', header: 'Serial'},
    {key: 'listen', header: 'Listen'},
  ]

  async execute(): Promise<SimListRow[]> {
    await this.parse(SimList)
    const home = sphereHome()
    return listSimNames(home).map((name) => {
      const info = liveDaemon(home, name)
      return {
        name,
        running: info !== undefined,
        pid: info?.pid ?? null,
        deviceId: info?.deviceId ?? null,
        serialPath: info?.serialPath ?? null,
        listen: info?.listen ?? null,
        stateDir: simDir(home, name),
      }
    })
  }
}
