import {Flags} from '../../cli/flags.js'
import {DeviceCommand} from '../../cli/device-command.js'
import {readInputFile} from '../../cli/files.js'
import type {RecoverResult} from '../../protocol/api/index.js'
import {SphereError} from '../../util/errors.js'

export type RecoverOutput = RecoverResult & {recovered: boolean}

export default class Recover extends DeviceCommand<RecoverOutput> {
  static override summary = 'Use recovery mode to load the shipped system software onto the attached device'
  static override description =
    'Recovery erases the flash and writes the system software the device shipped with, then reboots it: the OS returns to its shipped version, and applications (with their storage and logs), board configurations, Wi-Fi networks, certificates and the proxy configuration are erased. The device ID and manufacturing state stay; device capabilities return to the shipped ones (--capability applies a capability file right after). ' +
    'Works on a simulator reached through its local socket (sim, sim:NAME). A board attached over its service UART is recovered through its separate recovery UART, which sphere does not drive: the command refuses such a device and changes nothing.'
  static override examples = [
    '<%= config.bin %> device recover',
    '<%= config.bin %> device recover -d sim:lab --capability dev.cap -o json',
  ]
  static override flags = {
    capability: Flags.string({description: 'Device capability file to apply once the device is recovered'}),
  }
  static override columns = [
    {key: 'deviceId', header: 'Device ID'},
    {key: 'previousOsVersion', header: 'OS before'},
    {key: 'osVersion', header: 'OS now'},
    {key: 'recovered', header: 'Recovered'},
  ]

  private step(line: string): void {
    if (!this.globals.onlyShowErrors) process.stderr.write(`${line}\n`)
  }

  async execute(): Promise<RecoverOutput> {
    const {flags} = await this.parse(Recover)
    const cap = flags.capability === undefined ? undefined : await readInputFile(flags.capability, 'capability file')
    const client = await this.client()
    if (client.connector.kind !== 'unix')
      throw new SphereError(
        'RECOVER_NOT_SUPPORTED',
        `Recovery is not supported on ${client.label}: a board is recovered over its recovery UART, which sphere does not drive; sphere device recover works on a simulator (-d sim or sim:NAME).`,
      )
    this.step('Starting device recovery.')
    this.step('Board found. Sending recovery bootloader.')
    this.step('Erasing flash.')
    const r = await client.recover()
    const total = r.images.reduce((n, i) => n + i.bytes, 0)
    this.step(`Sent ${r.images.length} of ${r.images.length} images (${total} bytes): ${r.images.map((i) => i.name).join(', ')}.`)
    this.step('Finished writing images; rebooting board.')
    this.step(`Device ID: ${r.deviceId}`)
    let capabilities = r.capabilities
    if (cap) {
      this.step('Applying the device capability file.')
      capabilities = (await client.applyCapabilityFile(cap)).capabilities
    }
    this.step(`Device recovered successfully: OS ${r.osVersion} (was ${r.previousOsVersion}).`)
    return {...r, capabilities, recovered: true}
  }
}
