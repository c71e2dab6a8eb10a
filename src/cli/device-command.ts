import {Flags} from '@oclif/core'
import {DeviceClient, selectDevice, type SelectedDevice} from '../device/index.js'
import {SphereCommand} from './base-command.js'
import {SphereConfig, sphereHome} from './config.js'

/**
 * Base of every command that talks to a device. Adds --device/-d and gives execute() a connected
 * DeviceClient (auto-starting the default simulator when needed); the connection is released after.
 */
export abstract class DeviceCommand<T = unknown> extends SphereCommand<T> {
  static override baseFlags = {
    ...SphereCommand.baseFlags,
    device: Flags.string({
      char: 'd',
      description:
        'Device to use: sim (default, auto-started), sim:NAME, a serial port path, an IP address, or a device ID. Default: the `defaults.device` config.',
      helpGroup: 'GLOBAL',
    }),
  }

  private selected: SelectedDevice | undefined

  /** The device selected by --device, the config default, or auto-detection. */
  protected async client(): Promise<DeviceClient> {
    if (this.selected) return this.selected.client
    let value = flagValueOf(this.argv, '--device', '-d')
    if (value === undefined) {
      try {
        value = (await SphereConfig.open(sphereHome())).get('defaults.device')
      } catch {
        // no config: auto-detect
      }
    }
    this.selected = await selectDevice(sphereHome(), value)
    return this.selected.client
  }

  protected override async finally(err: Error | undefined): Promise<void> {
    await this.selected?.close().catch(() => undefined)
    await super.finally(err)
  }
}

function flagValueOf(argv: string[], long: string, short: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a === '--') break
    if (a === long || a === short) return argv[i + 1]
    if (a.startsWith(long + '=')) return a.slice(long.length + 1)
    if (a.startsWith(short) && a.length > 2 && !a.startsWith('--')) return a.slice(2).replace(/^=/, '')
  }
  return undefined
}
