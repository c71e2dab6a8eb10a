import {SphereCommand} from '../cli/base-command.js'
import {ABI_VERSION, SIM_OS_VERSION, TARGET_API_SET} from '../util/version.js'

export interface ShowVersionResult {
  version: string
  node: string
  abiVersion: number
  targetApiSet: string
  simulatorOsVersion: string
  platform: string
}

export default class ShowVersion extends SphereCommand<ShowVersionResult> {
  static override summary = 'Show the versions of the CLI, Node.js, the app ABI and the simulated OS'
  static override examples = ['<%= config.bin %> show-version', '<%= config.bin %> show-version -o json --query version']
  static override columns = [
    {key: 'version', header: 'CLI'},
    {key: 'node', header: 'Node'},
    {key: 'abiVersion', header: 'ABI'},
    {key: 'targetApiSet', header: 'Target API set'},
    {key: 'simulatorOsVersion', header: 'Simulator OS'},
  ]

  async execute(): Promise<ShowVersionResult> {
    await this.parse(ShowVersion)
    return {
      version: this.config.version,
      node: process.versions.node,
      abiVersion: ABI_VERSION,
      targetApiSet: TARGET_API_SET,
      simulatorOsVersion: SIM_OS_VERSION,
      platform: `${process.platform}-${process.arch}`,
    }
  }
}
