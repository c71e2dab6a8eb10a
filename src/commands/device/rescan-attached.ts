import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {discoverDevices} from '../../device/discovery.js'
import {attachedRow, type AttachedRow} from './list-attached.js'

export default class RescanAttached extends SphereCommand<{count: number; devices: AttachedRow[]}> {
  static override summary = 'Rescan for attached devices and show how many answer'
  static override examples = ['<%= config.bin %> device rescan-attached --query count']
  static override tableRows = 'devices'

  async execute(): Promise<{count: number; devices: AttachedRow[]}> {
    await this.parse(RescanAttached)
    const devices = (await discoverDevices(sphereHome(), {probeSerial: true})).map(attachedRow)
    return {count: devices.length, devices}
  }
}
