import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {discoverDevices, type DiscoveredDevice} from '../../device/discovery.js'

export default class RescanAttached extends SphereCommand<{count: number; devices: DiscoveredDevice[]}> {
  static override summary = 'Rescan for attached devices and show how many answer'
  static override examples = ['<%= config.bin %> device rescan-attached --query count']

  async execute(): Promise<{count: number; devices: DiscoveredDevice[]}> {
    await this.parse(RescanAttached)
    const devices = await discoverDevices(sphereHome(), {probeSerial: true})
    return {count: devices.length, devices}
  }
}
