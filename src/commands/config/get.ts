import {Args} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {SphereConfig, assertConfigKey, sphereHome} from '../../cli/config.js'
import {SphereError} from '../../util/errors.js'

export default class ConfigGet extends SphereCommand<{key: string; value: string}> {
  static override summary = 'Print one config value'
  static override examples = ['<%= config.bin %> config get defaults.device']
  static override args = {key: Args.string({required: true, description: 'Config key, e.g. defaults.device'})}

  async execute(): Promise<{key: string; value: string}> {
    const {args} = await this.parse(ConfigGet)
    assertConfigKey(args.key)
    const value = (await SphereConfig.open(sphereHome())).get(args.key)
    if (value === undefined) throw new SphereError('CONFIG_NOT_SET', `Config key '${args.key}' is not set.`)
    return {key: args.key, value}
  }
}
