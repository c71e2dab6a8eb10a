import {parseDeviceSpec} from '../device/spec.js'
import {SphereError, usageError} from '../util/errors.js'
import {sphereHome} from '../util/home.js'

/** Output formats every command accepts. */
export const OUTPUT_FORMATS = ['json', 'jsonc', 'yaml', 'yamlc', 'table', 'tsv', 'none'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/** Keys `sphere config` manages, with a validator each. */
export const CONFIG_KEYS = {
  'defaults.device': {
    description: 'Device used when --device is not given (sim, sim:NAME, a serial port path, an IP address or a device ID)',
    // the --device parser itself: a value `config set` accepts is one every device command can use
    validate: (v: string) => v.length < 512 && parseDeviceSpec(v, 'defaults.device') !== undefined,
  },
  'defaults.output': {
    description: `Default output format (${OUTPUT_FORMATS.join(', ')})`,
    validate: (v: string) => (OUTPUT_FORMATS as readonly string[]).includes(v),
  },
} as const
export type ConfigKey = keyof typeof CONFIG_KEYS

export {sphereHome} from '../util/home.js'

export function assertConfigKey(key: string): asserts key is ConfigKey {
  if (!(key in CONFIG_KEYS)) {
    throw usageError('CONFIG_UNKNOWN_KEY', `Unknown config key '${key}'.`, [
      `Known keys: ${Object.keys(CONFIG_KEYS).join(', ')}`,
    ])
  }
}

interface ConfStore {
  get(key: string): unknown
  set(key: string, value: unknown): void
  delete(key: string): void
  store: Record<string, unknown>
}

/** Typed access to the user's config file, stored with `conf` under sphereHome(). */
export class SphereConfig {
  private constructor(private readonly conf: ConfStore) {}

  static async open(home: string = sphereHome()): Promise<SphereConfig> {
    const {default: Conf} = await import('conf')
    try {
      const conf = new Conf<Record<string, unknown>>({
        cwd: home,
        configName: 'config',
        projectName: 'sphere-sdk',
        clearInvalidConfig: false,
      })
      return new SphereConfig(conf as unknown as ConfStore)
    } catch (e) {
      throw new SphereError('CONFIG_UNREADABLE', `Cannot read the config file in ${home}: ${(e as Error).message}`, {
        suggestions: ['Fix or delete config.json there, then retry.'],
        cause: e,
      })
    }
  }

  get(key: ConfigKey): string | undefined {
    const v = this.conf.get(key)
    return typeof v === 'string' ? v : undefined
  }

  set(key: ConfigKey, value: string): void {
    if (!CONFIG_KEYS[key].validate(value)) {
      throw usageError('CONFIG_BAD_VALUE', `Invalid value '${value}' for ${key}: ${CONFIG_KEYS[key].description}.`)
    }
    this.conf.set(key, value)
  }

  unset(key: ConfigKey): void {
    this.conf.delete(key)
  }

  list(): {key: ConfigKey; value: string}[] {
    const out: {key: ConfigKey; value: string}[] = []
    for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
      const v = this.get(key)
      if (v !== undefined) out.push({key, value: v})
    }
    return out
  }
}
