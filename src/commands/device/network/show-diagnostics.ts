import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {DeviceApiError} from '../../../device/index.js'
import type {WifiDiagnostic} from '../../../protocol/api/index.js'

export default class NetworkShowDiagnostics extends DeviceCommand<WifiDiagnostic[]> {
  static override summary = 'Show the last failed connection attempt of one or every configured Wi-Fi network'
  static override description =
    'Each entry names the network (networkId, ssid), why the device could not join it (error: NetworkNotFound, WrongKey, SecurityTypeMismatch, AuthenticationFailed, ...), when (timestamp) and the network state. Networks the device joined, or never tried, have no entry. The simulator tries an enabled network when its SSID is on the simulated air (see device wifi scan) or it was added with --targeted-scan; the key of the simulated SphereSim-PSK network is sphere-sim-psk.'
  static override examples = [
    '<%= config.bin %> device network show-diagnostics',
    '<%= config.bin %> device network show-diagnostics --network 0 -o json',
  ]
  static override flags = {
    network: Flags.integer({char: 'n', description: 'Wi-Fi network ID (see device wifi list); default: every network', min: 0}),
  }
  static override columns = [
    {key: 'networkId', header: 'Network'},
    {key: 'ssid', header: 'SSID'},
    {key: 'error', header: 'Error'},
    {key: 'timestamp', header: 'Time'},
    {key: 'configState', header: 'Config state'},
    {key: 'connectionState', header: 'Connection state'},
  ]

  async execute(): Promise<WifiDiagnostic[]> {
    const {flags} = await this.parse(NetworkShowDiagnostics)
    const client = await this.client()
    if (flags.network === undefined) return (await client.wifiDiagnostics()).values
    await client.wifiNetwork(flags.network) // an unknown ID fails here: "Network not found"
    try {
      return [await client.wifiNetworkDiagnostics(flags.network)]
    } catch (e) {
      // a known network without a failed attempt has nothing recorded
      if (e instanceof DeviceApiError && e.status === 404) return []
      throw e
    }
  }
}
