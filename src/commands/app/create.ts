import {Args, Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {createApp, listTemplates, type CreateResult} from '../../sdk/index.js'

export default class AppCreate extends SphereCommand<CreateResult> {
  static override summary = 'Create a high-level app project from a template'
  static override description =
    'Copies a template into a new directory NAME (under --output-dir, default the current directory) with a fresh component ID. ' +
    'C templates make an Azure Sphere-style CMake project (CMakeLists.txt, CMakePresets.json, app_manifest.json, a hardware ' +
    'definition for the MT3620 RDB); as-blink makes an AssemblyScript project (asconfig.json, assembly/index.ts) that needs ' +
    'no C toolchain. `sphere app build` compiles either to WebAssembly. Templates: ' +
    listTemplates()
      .map((t) => `${t.name} (${t.description})`)
      .join('; ')
  static override examples = [
    '<%= config.bin %> app create --template c-blink Blinky',
    '<%= config.bin %> app create --template c-eventloop MyApp --output-dir ~/src',
    '<%= config.bin %> app create --template as-blink BlinkyAS',
  ]
  static override args = {
    name: Args.string({required: true, description: 'App name: the directory, CMake project and manifest Name'}),
  }
  static override flags = {
    template: Flags.string({char: 't', required: true, description: 'Template to use (c-blink, c-eventloop, as-blink)'}),
    'output-dir': Flags.string({description: 'Parent directory of the new project (default: current directory)'}),
    'component-id': Flags.string({description: 'Component ID to use instead of a new random one'}),
  }
  static override columns = [
    {key: 'name', header: 'Name'},
    {key: 'template', header: 'Template'},
    {key: 'componentId', header: 'Component ID'},
    {key: 'projectDir', header: 'Directory'},
  ]

  async execute(): Promise<CreateResult> {
    const {args, flags} = await this.parse(AppCreate)
    return createApp({
      template: flags.template,
      name: args.name,
      ...(flags['output-dir'] !== undefined ? {dir: flags['output-dir']} : {}),
      ...(flags['component-id'] !== undefined ? {componentId: flags['component-id']} : {}),
    })
  }
}
