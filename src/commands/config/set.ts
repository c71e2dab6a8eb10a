import {Args} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {SphereConfig, assertConfigKey, sphereHome} from '../../cli/config.js'

export default class ConfigSet extends SphereCommand<{key: string; value: string}> {
  static override summary = 'Set a config value (kept across runs)'
  static override description = 'Keys: defaults.device, defaults.output. Stored in config.json under SPHERE_HOME.'
  static override examples = ['<%= config.bin %> config set defaults.output yaml', '<%= config.bin %> config set defaults.device sim:lab']
  static override args = {
    key: Args.string({required: true, description: 'Config key'}),
    value: Args.string({required: true, description: 'New value'}),
  }

  async execute(): Promise<{key: string; value: string}> {
    const {args} = await this.parse(ConfigSet)
    assertConfigKey(args.key)
    ;(await SphereConfig.open(sphereHome())).set(args.key, args.value)
    return {key: args.key, value: args.value}
  }
}
