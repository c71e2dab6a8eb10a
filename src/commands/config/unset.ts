import {Args} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {SphereConfig, assertConfigKey, sphereHome} from '../../cli/config.js'

export default class ConfigUnset extends SphereCommand<{key: string; removed: boolean}> {
  static override summary = 'Remove a config value'
  static override examples = ['<%= config.bin %> config unset defaults.output']
  static override args = {key: Args.string({required: true, description: 'Config key'})}

  async execute(): Promise<{key: string; removed: boolean}> {
    const {args} = await this.parse(ConfigUnset)
    assertConfigKey(args.key)
    const cfg = await SphereConfig.open(sphereHome())
    const removed = cfg.get(args.key) !== undefined
    cfg.unset(args.key)
    return {key: args.key, removed}
  }
}
