import {resolve} from 'node:path'
import {Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {BOARD_CONFIG_PRESETS, loadOrCreateDevKey, packBoardConfig, parseImagePackage} from '../../image/index.js'
import {writeFileAtomic} from '../../util/atomic-file.js'
import {usageError} from '../../util/errors.js'

export interface PackBoardConfigResult {
  destination: string
  size: number
  preset: string
  description: string
  componentId: string
  imageId: string
  name: string
  imageType: number
  signedWith: string
}

export default class ImagePackagePackBoardConfig extends SphereCommand<PackBoardConfigResult> {
  static override summary = 'Create a board configuration image package'
  static override description =
    `A board configuration tells the OS about hardware on the board beyond the MT3620. Presets: ${Object.entries(BOARD_CONFIG_PRESETS)
      .map(([k, v]) => `${k} (${v.description})`)
      .join('; ')}. The package is signed with your development key; deploy it with \`device sideload deploy\`, see it in \`device image list-installed --all\` and remove it with \`device sideload delete --component-id\`. The component ID is fixed per preset, so deploying a preset again replaces it.`
  static override examples = [
    '<%= config.bin %> image-package pack-board-config --preset lan-enc28j60-isu0-int5 --destination enc28j60-isu0-int5.imagepackage',
    '<%= config.bin %> image-package pack-board-config --preset lan-enc28j60-isu0-int5 --name EthernetBoard --output-file board.imagepackage -o json',
  ]
  static override flags = {
    preset: Flags.string({
      description: 'The board configuration to pack',
      required: true,
      options: Object.keys(BOARD_CONFIG_PRESETS),
    }),
    name: Flags.string({char: 'n', description: 'Image name (at most 31 bytes; default: the preset)'}),
    destination: Flags.string({description: 'Path of the image package to create (aliases: --output-file, --output-path)', aliases: ['output-file', 'output-path']}),
  }
  static override columns = [
    {key: 'destination', header: 'Image package'},
    {key: 'preset', header: 'Preset'},
    {key: 'componentId', header: 'Component ID'},
    {key: 'imageId', header: 'Image ID'},
    {key: 'size', header: 'Size'},
  ]

  async execute(): Promise<PackBoardConfigResult> {
    const {flags} = await this.parse(ImagePackagePackBoardConfig)
    if (!flags.destination)
      throw usageError('MISSING_DESTINATION', 'Missing --destination (or --output-file): where to write the image package.')
    const key = loadOrCreateDevKey(sphereHome())
    const epoch = process.env.SOURCE_DATE_EPOCH
    const bytes = packBoardConfig({
      preset: flags.preset,
      ...(flags.name !== undefined ? {name: flags.name} : {}),
      key,
      ...(epoch !== undefined && /^[0-9]{1,12}$/.test(epoch) ? {buildDate: Number(epoch)} : {}),
    })
    const out = resolve(flags.destination)
    writeFileAtomic(out, bytes)
    const pkg = parseImagePackage(bytes)
    return {
      destination: out,
      size: bytes.length,
      preset: flags.preset,
      description: BOARD_CONFIG_PRESETS[flags.preset]!.description,
      componentId: pkg.identity.componentId,
      imageId: pkg.identity.imageId,
      name: pkg.debug?.name ?? flags.preset,
      imageType: pkg.identity.imageType,
      signedWith: key.name,
    }
  }
}
