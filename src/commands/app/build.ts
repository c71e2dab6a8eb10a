import {Args, Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {buildApp} from '../../sdk/index.js'

export interface AppBuildRow {
  name: string
  componentId: string
  imagePackage: string
  packageBytes: number
  appBytes: number
  preset: string
  logFile: string
  durationMs: number
}

export default class AppBuild extends SphereCommand<AppBuildRow[]> {
  static override summary = 'Build a C or AssemblyScript app project into a WebAssembly image package'
  static override description =
    'Configures the project with CMake through its own CMakePresets.json (default preset ARM-Debug) and the sphere SDK ' +
    'toolchain (clang to wasm32-wasi, applibs headers and library), builds it with ninja and packs each app into ' +
    '<binaryDir>/<target>.imagepackage signed with your development key. Azure Sphere samples build unchanged. ' +
    'Compiler and CMake output goes to <binaryDir>/sphere-build.log; a failure prints its first error line. ' +
    'Needs: apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 cmake ninja-build. ' +
    'An AssemblyScript project (asconfig.json + assembly/index.ts, e.g. from `app create --template as-blink`) needs no ' +
    'C toolchain: it is compiled in-process to <dir>/out/<Name>.wasm and packed into <dir>/out/<Name>.imagepackage; ' +
    '--preset names an asconfig.json target (default: the target named like --build-type, e.g. debug).'
  static override examples = [
    '<%= config.bin %> app build',
    '<%= config.bin %> app build ./MyApp --preset ARM-Release',
    '<%= config.bin %> app build Samples/HelloWorld/HelloWorld_HighLevelApp --clean -o json',
    '<%= config.bin %> app build ./MyAsApp --preset release',
  ]
  static override args = {
    dir: Args.string({description: 'Project directory (default: current directory)', default: '.'}),
  }
  static override flags = {
    preset: Flags.string({
      char: 'p',
      description:
        'CMake configure preset (default: ARM-Debug, else the first one); for AssemblyScript, an asconfig.json target',
    }),
    'build-type': Flags.string({
      description: 'CMAKE_BUILD_TYPE for projects without CMakePresets.json',
      default: 'Debug',
    }),
    clean: Flags.boolean({description: 'Delete the build directory first'}),
  }
  static override columns = [
    {key: 'name', header: 'App'},
    {key: 'componentId', header: 'Component ID'},
    {key: 'imagePackage', header: 'Image package'},
    {key: 'packageBytes', header: 'Bytes'},
  ]

  async execute(): Promise<AppBuildRow[]> {
    const {args, flags} = await this.parse(AppBuild)
    const result = await buildApp({
      dir: args.dir,
      ...(flags.preset !== undefined ? {preset: flags.preset} : {}),
      buildType: flags['build-type'],
      clean: flags.clean,
      sphereHome: sphereHome(),
      onStep: (step) => this.verboseLine(step),
    })
    return result.apps.map((a) => ({
      name: a.name,
      componentId: a.componentId,
      imagePackage: a.imagePackage,
      packageBytes: a.packageBytes,
      appBytes: a.appBytes,
      preset: result.preset ?? '',
      logFile: result.logFile,
      durationMs: result.durationMs,
    }))
  }
}
