import {DeviceClient, selectDevice, type SelectedDevice} from '../device/index.js'
import {SphereCommand} from './base-command.js'
import {SphereConfig, sphereHome} from './config.js'
import {Flags} from './flags.js'

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
        'Device to use: sim (the default simulator, auto-started), sim:NAME (a running simulator: `sphere sim start --name NAME`), a serial port path, an IP address, or a device ID. Default: the `defaults.device` config.',
      helpGroup: 'GLOBAL',
    }),
  }

  private selected: SelectedDevice | undefined

  /** The device string a command selects with: --device, else the `defaults.device` config (undefined: auto-detect). */
  protected async deviceValue(): Promise<{value: string | undefined; from: string}> {
    const value = this.flagValue('device') as string | undefined
    if (value !== undefined) return {value, from: '--device'}
    try {
      const configured = (await SphereConfig.open(sphereHome())).get('defaults.device')
      if (configured !== undefined) return {value: configured, from: 'defaults.device'}
    } catch {
      // no config: auto-detect
    }
    return {value: undefined, from: '--device'}
  }

  /** The device selected by --device, the config default, or auto-detection. */
  protected async client(): Promise<DeviceClient> {
    if (this.selected) return this.selected.client
    const {value, from} = await this.deviceValue()
    this.selected = await selectDevice(sphereHome(), value, from)
    return this.selected.client
  }

  protected override async finally(err: Error | undefined): Promise<void> {
    await this.selected?.close().catch(() => undefined)
    await super.finally(err)
  }
}
