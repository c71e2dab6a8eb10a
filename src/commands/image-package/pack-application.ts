import {Flags} from '../../cli/flags.js'
import {resolve} from 'node:path'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {loadOrCreateDevKey, packDirectory, parseImagePackage} from '../../image/index.js'
import {usageError} from '../../util/errors.js'
import {writeFileAtomic} from '../../util/atomic-file.js'

export interface PackApplicationResult {
  destination: string
  size: number
  componentId: string
  imageId: string
  name: string
  applicationType: string
  targetApplicationRuntimeVersion?: number
  hardwareDefinition?: string
  signedWith: string
  files: {path: string; size: number}[]
}

export default class ImagePackagePackApplication extends SphereCommand<PackApplicationResult> {
  static override summary = 'Create an application image package from a directory'
  static override aliases = ['image:pack']
  static override description =
    'Packs every file under --package-directory into an Azure Sphere image package (ASXipFS + metadata + ECDSA P-256 signature). ' +
    'app_manifest.json is rewritten as the SDK does: $NAME peripheral references are resolved through a hardware definition, ' +
    'TargetApplicationRuntimeVersion is added for high-level apps, and the JSON is minified. The package is signed with your ' +
    'development key (created under SPHERE_HOME on first use). The output file is written atomically. The Debug ' +
    'section records the build time (SOURCE_DATE_EPOCH when set, for reproducible builds).'
  static override examples = [
    '<%= config.bin %> image-package pack-application --package-directory out/approot --destination app.imagepackage',
    '<%= config.bin %> image-package pack-application --package-directory approot --output-file app.imagepackage --hardware-definitions HardwareDefinitions/mt3620_rdb --target-definition-filename sample_appliance.json --target-api-set 16',
  ]
  static override flags = {
    'package-directory': Flags.string({
      required: true,
      description: 'Directory to package: the executable(s) and app_manifest.json',
    }),
    destination: Flags.string({short: 'of', description: 'Path of the image package to create (alias: --output-file)', aliases: ['output-file']}),
    'application-manifest': Flags.string({
      char: 'a',
      description:
        'app_manifest.json to use instead of the one in the package directory (a file or a directory holding one)',
    }),
    executables: Flags.string({
      char: 'x',
      multiple: true,
      description: 'Paths inside the package to mark executable (the EntryPoint always is)',
    }),
    'hardware-definitions': Flags.string({
      multiple: true,
      description: 'Directories holding hardware definitions used to resolve $NAME references',
    }),
    'target-definition-filename': Flags.string({
      description: 'File name of the target hardware definition, e.g. sample_appliance.json',
    }),
    'target-api-set': Flags.string({
      char: 's',
      description: 'Target API set, e.g. 16 (sets TargetApplicationRuntimeVersion)',
    }),
  }
  static override columns = [
    {key: 'destination', header: 'Image package'},
    {key: 'componentId', header: 'Component ID'},
    {key: 'imageId', header: 'Image ID'},
    {key: 'size', header: 'Size'},
  ]

  async execute(): Promise<PackApplicationResult> {
    const {flags} = await this.parse(ImagePackagePackApplication)
    const destination = flags.destination
    if (!destination)
      throw usageError(
        'MISSING_DESTINATION',
        'Missing --destination (or --output-file): where to write the image package.',
      )
    const key = loadOrCreateDevKey(sphereHome())
    const opts: Parameters<typeof packDirectory>[0] = {packageDirectory: flags['package-directory'], key}
    if (flags['application-manifest']) opts.applicationManifest = flags['application-manifest']
    if (flags.executables) opts.executables = flags.executables
    if (flags['hardware-definitions']) opts.hardwareDefinitions = flags['hardware-definitions']
    if (flags['target-definition-filename']) opts.targetDefinitionFilename = flags['target-definition-filename']
    if (flags['target-api-set']) opts.targetApiSet = flags['target-api-set']
    const epoch = process.env.SOURCE_DATE_EPOCH
    if (epoch !== undefined && /^[0-9]{1,12}$/.test(epoch)) opts.buildDate = Number(epoch) // reproducible builds
    const packed = packDirectory(opts)
    const out = resolve(destination)
    writeFileAtomic(out, packed.bytes)
    const pkg = parseImagePackage(packed.bytes)
    this.verboseLine(`Packed ${packed.files.length} files into ${out} (${packed.bytes.length} bytes)`)
    const result: PackApplicationResult = {
      destination: out,
      size: packed.bytes.length,
      componentId: pkg.identity.componentId,
      imageId: pkg.identity.imageId,
      name: packed.manifest.Name,
      applicationType: packed.manifest.ApplicationType,
      signedWith: key.name,
      files: packed.files,
    }
    if (packed.manifest.TargetApplicationRuntimeVersion !== undefined)
      result.targetApplicationRuntimeVersion = packed.manifest.TargetApplicationRuntimeVersion
    if (packed.hardwareDefinition) result.hardwareDefinition = packed.hardwareDefinition
    return result
  }
}
