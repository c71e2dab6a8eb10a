import {Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {generateHeader, headerDefines, headerPathFor, loadHardwareDefinition} from '../../image/index.js'
import {writeFileAtomic} from '../../util/atomic-file.js'

export interface GenerateHeaderResult {
  hardwareDefinition: string
  header: string
  defines: number
}

export default class HardwareDefinitionGenerateHeader extends SphereCommand<GenerateHeaderResult> {
  static override summary = 'Generate the C header for a hardware definition'
  static override description =
    'Writes inc/hw/<name>.h next to the hardware-definition JSON: one #define per peripheral (base values, or the name an ' +
    "alias maps to) and an #include per import. Imports are looked up next to the file, then in the SDK's HardwareDefinitions."
  static override examples = [
    '<%= config.bin %> hardware-definition generate-header --hardware-definition-file HardwareDefinitions/mt3620_rdb/sample_appliance.json',
  ]
  static override flags = {
    'hardware-definition-file': Flags.string({
      required: true,
      description: 'Path to the hardware-definition JSON file',
    }),
  }
  static override columns = [
    {key: 'header', header: 'Header'},
    {key: 'defines', header: 'Defines'},
  ]

  async execute(): Promise<GenerateHeaderResult> {
    const {flags} = await this.parse(HardwareDefinitionGenerateHeader)
    const def = loadHardwareDefinition(flags['hardware-definition-file'])
    const text = generateHeader(def)
    const header = headerPathFor(def.path)
    writeFileAtomic(header, text)
    return {hardwareDefinition: def.path, header, defines: headerDefines(text).length}
  }
}
