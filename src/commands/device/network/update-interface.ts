import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {DeviceApiError} from '../../../device/index.js'
import {hardwareAddressProblem, type NetInterface} from '../../../protocol/api/index.js'
import {SphereError, usageError} from '../../../util/errors.js'

export default class NetworkUpdateInterface extends DeviceCommand<NetInterface> {
  static override summary = 'Update the configuration of a network interface: the MAC address of an Ethernet interface'
  static override description =
    'Sets the hardware (MAC) address of an Ethernet interface such as eth0; the address persists across restarts (device recover restores the built-in one). Wi-Fi and the service interface keep their built-in addresses. Prints the interface as the device reports it afterwards.'
  static override examples = [
    '<%= config.bin %> device network update-interface --interface eth0 --hardware-address aa:bb:33:dd:ee:ff',
    '<%= config.bin %> device network update-interface --interface eth0 --hardware-address 02:00:00:12:34:56 -o json',
  ]
  static override flags = {
    interface: Flags.string({description: 'Interface name (an Ethernet interface, see list-interfaces)', required: true}),
    'hardware-address': Flags.string({description: 'New MAC address, six hex bytes like aa:bb:33:dd:ee:ff', required: true}),
  }
  static override columns = [
    {key: 'interfaceName', header: 'Interface'},
    {key: 'interfaceUp', header: 'Up'},
    {key: 'hardwareAddress', header: 'Hardware address'},
  ]

  async execute(): Promise<NetInterface> {
    const {flags} = await this.parse(NetworkUpdateInterface)
    const name = flags.interface
    const mac = flags['hardware-address']
    const problem = hardwareAddressProblem(mac)
    if (problem !== undefined) throw usageError('BAD_HARDWARE_ADDRESS', `Invalid --hardware-address '${mac}': ${problem}.`)
    const client = await this.client()
    let iface: NetInterface
    try {
      iface = await client.networkInterface(name)
    } catch (e) {
      if (e instanceof DeviceApiError && e.status === 404)
        throw new SphereError('NET_NO_INTERFACE', `The device has no network interface '${name}' (see sphere device network list-interfaces).`)
      throw e
    }
    // the device API answers a refusal with a bare error code: say here what it means
    if (name.startsWith('wlan') || iface.hardwareAddress === undefined)
      throw new SphereError('NET_NOT_ETHERNET', `${name} is not an Ethernet interface: only the hardware address of an Ethernet interface (eth0) can be set.`)
    await client.updateNetworkInterface(name, mac)
    return client.networkInterface(name)
  }
}
