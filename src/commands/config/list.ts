import {SphereCommand} from '../../cli/base-command.js'
import {SphereConfig, sphereHome} from '../../cli/config.js'

export default class ConfigList extends SphereCommand<{key: string; value: string}[]> {
  static override summary = 'List the config values that are set'
  static override examples = ['<%= config.bin %> config list -o table']
  static override columns = [
    {key: 'key', header: 'Key'},
    {key: 'value', header: 'Value'},
  ]

  async execute(): Promise<{key: string; value: string}[]> {
    await this.parse(ConfigList)
    return (await SphereConfig.open(sphereHome())).list()
  }
}
