import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {WIFI_COLUMNS} from './list.js'
import type {AddWifiNetworkRequest, WifiNetwork} from '../../../protocol/api/index.js'

export default class WifiAdd extends DeviceCommand<WifiNetwork> {
  static override summary = 'Add a Wi-Fi network configuration to the attached device'
  static override examples = [
    '<%= config.bin %> device wifi add --ssid NETWORK1 --psk EXAMPLEPSK',
    '<%= config.bin %> device wifi add --ssid lab --client-cert-id myClientCert --client-id user@example.com --root-ca-cert-id myRootCA',
  ]
  static override flags = {
    ssid: Flags.string({char: 's', description: 'Network SSID', required: true}),
    psk: Flags.string({char: 'p', description: 'WPA/WPA2 pre-shared key (omit for an open network)'}),
    'targeted-scan': Flags.boolean({description: 'Connect even if the SSID is not broadcast'}),
    'config-name': Flags.string({description: 'A name for this configuration (up to 16 characters)'}),
    'client-cert-id': Flags.string({description: 'EAP-TLS: ID of the client certificate in the certificate store'}),
    'client-id': Flags.string({description: 'EAP-TLS: identity (user@domain)'}),
    'root-ca-cert-id': Flags.string({description: 'EAP-TLS: ID of the server root CA certificate'}),
    disabled: Flags.boolean({description: 'Add the network disabled'}),
  }
  static override columns = WIFI_COLUMNS

  async execute(): Promise<WifiNetwork> {
    const {flags} = await this.parse(WifiAdd)
    const eap = flags['client-cert-id'] !== undefined
    const body: AddWifiNetworkRequest = {
      ssid: flags.ssid,
      securityState: eap ? 'eaptls' : flags.psk !== undefined ? 'psk' : 'open',
      configState: flags.disabled ? 'disabled' : 'enabled',
    }
    if (flags.psk !== undefined) body.psk = flags.psk
    if (flags['targeted-scan']) body.targetScan = true
    if (flags['config-name']) body.configName = flags['config-name']
    if (eap) body.clientCertStoreIdentifier = flags['client-cert-id']
    if (flags['client-id']) body.clientIdentity = flags['client-id']
    if (flags['root-ca-cert-id']) body.rootCaCertStoreIdentifier = flags['root-ca-cert-id']
    return (await this.client()).addWifiNetwork(body)
  }
}
