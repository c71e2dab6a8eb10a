import {Flags} from '@oclif/core'
import {DeviceCommand} from '../../../cli/device-command.js'

export interface InstalledImage {
  name: string | null
  componentId: string
  imageId: string | null
  imageType: number
  lengthInBytes: number | null
  isUpdateStaged: boolean
}

export default class ImageListInstalled extends DeviceCommand<InstalledImage[]> {
  static override summary = 'List the images installed on the attached device (applications by default)'
  static override examples = ['<%= config.bin %> device image list-installed', '<%= config.bin %> device image list-installed --all']
  static override flags = {
    all: Flags.boolean({description: 'List every image (OS, firmware, board configuration), not only applications'}),
    full: Flags.boolean({char: 'f', description: 'Alias of --all (older CLI name)'}),
  }
  static override columns = [
    {key: 'name', header: 'Name'},
    {key: 'componentId', header: 'Component ID'},
    {key: 'imageId', header: 'Image ID'},
    {key: 'imageType', header: 'Type'},
    {key: 'lengthInBytes', header: 'Length'},
  ]

  async execute(): Promise<InstalledImage[]> {
    const {flags} = await this.parse(ImageListInstalled)
    const images = await (await this.client()).images()
    return images.components
      .filter((c) => flags.all || flags.full || c.image_type === 10)
      .map((c) => ({
        name: c.name ?? null,
        componentId: c.uid,
        imageId: c.images[0]?.uid ?? null,
        imageType: c.image_type,
        lengthInBytes: c.images[0]?.length_in_bytes ?? null,
        isUpdateStaged: c.is_update_staged,
      }))
  }
}
