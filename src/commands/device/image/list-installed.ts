import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import type {ImagesResponse} from '../../../protocol/rest-api.js'

/** Image type 10: applications (gdbserver, the debug server of a development device, is one too). */
const APPLICATIONS = 10

export default class ImageListInstalled extends DeviceCommand<ImagesResponse> {
  static override summary = 'List the images installed on the attached device (applications by default)'
  static override description =
    "The device's own answer, as azsphere prints it: is_ota_update_in_progress, has_staged_updates, restart_required and components[] (uid, image_type, name, images[]). Without --all (or --full/-f) only the sideloaded applications are listed; with it every component: the OS's images and, on a development device, gdbserver."
  static override examples = [
    '<%= config.bin %> device image list-installed',
    '<%= config.bin %> device image list-installed --all',
    '<%= config.bin %> device image list-installed --query "components[].{name: name, componentId: uid}"',
  ]
  static override flags = {
    all: Flags.boolean({description: 'List every image (OS, firmware, board configuration, gdbserver), not only applications'}),
    full: Flags.boolean({char: 'f', description: 'Alias of --all (older CLI name)'}),
  }
  static override tableRows = 'components'
  static override columns = [
    {key: 'name', header: 'Name'},
    {key: 'uid', header: 'ComponentId'},
    {key: 'images.0.uid', header: 'ImageId'},
    {key: 'image_type', header: 'ImageType'},
    {key: 'images.0.length_in_bytes', header: 'LengthInBytes'},
  ]

  async execute(): Promise<ImagesResponse> {
    const {flags} = await this.parse(ImageListInstalled)
    const images = await (await this.client()).images()
    if (flags.all || flags.full) return images
    return {...images, components: images.components.filter((c) => c.image_type === APPLICATIONS && c.name !== 'gdbserver')}
  }
}
