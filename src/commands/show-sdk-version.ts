import {SphereCommand} from '../cli/base-command.js'
import {sdkHardwareDefinitionsDir} from '../image/index.js'
import {ABI_VERSION, SIM_OS_VERSION, TARGET_API_SET} from '../util/version.js'
import {dirname} from 'node:path'

export interface ShowSdkVersionResult {
  version: string
  targetApiSet: string
  abiVersion: number
  simulatorOsVersion: string
  sdkPath: string
}

export default class ShowSdkVersion extends SphereCommand<ShowSdkVersionResult> {
  static override summary = 'Show the version of the installed SDK'
  static override description =
    'The SDK version (the sphere-sdk package version), the target API set its headers correspond to, the app ABI version, the OS version the simulator runs and where the SDK files (headers, hardware definitions) are. Local: no device needed.'
  static override examples = ['<%= config.bin %> show-sdk-version', '<%= config.bin %> show-sdk-version -o json --query version']
  static override columns = [
    {key: 'version', header: 'SDK'},
    {key: 'targetApiSet', header: 'Target API set'},
    {key: 'abiVersion', header: 'ABI'},
    {key: 'simulatorOsVersion', header: 'Simulator OS'},
    {key: 'sdkPath', header: 'Path'},
  ]

  async execute(): Promise<ShowSdkVersionResult> {
    await this.parse(ShowSdkVersion)
    return {
      version: this.config.version,
      targetApiSet: TARGET_API_SET,
      abiVersion: ABI_VERSION,
      simulatorOsVersion: SIM_OS_VERSION,
      sdkPath: dirname(sdkHardwareDefinitionsDir()),
    }
  }
}
