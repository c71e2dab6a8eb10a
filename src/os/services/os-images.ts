/**
 * The simulated OS's own images, as GET /images lists them beside the applications: one component per image type of
 * the Azure Sphere OS (image types from the image package format), with IDs fixed per OS version (the same on every
 * simulated device of that version, as on real devices running one release), and gdbserver, the debug server a
 * device in development mode holds (an application component, image type 10).
 */
import {createHash} from 'node:crypto'
import type {ImagesResponse} from '../../protocol/rest-api.js'

type Component = ImagesResponse['components'][number]

/** [image type, name, length in bytes] of each OS component. */
const OS_COMPONENTS: readonly (readonly [number, string, number])[] = [
  [1, 'OneBL', 16_384],
  [2, 'PlutonRuntime', 131_072],
  [3, 'WifiFirmware', 364_544],
  [4, 'SecurityMonitor', 65_536],
  [5, 'NormalWorldLoader', 20_480],
  [6, 'NormalWorldDTB', 12_288],
  [7, 'NormalWorldKernel', 3_145_728],
  [8, 'RootFs', 4_194_304],
  [9, 'Services', 1_048_576],
  [13, 'FirmwareConfig', 8_192],
  [16, 'BootManifest', 4_096],
  [19, 'TrustedKeystore', 4_096],
  [20, 'Policy', 4_096],
  [22, 'UpdateCertStore', 8_192],
]

const GDBSERVER_BYTES = 274_432

/** A lowercase hyphenated GUID derived from the words (stable across runs). */
function guid(...words: string[]): string {
  const h = createHash('sha256').update(words.join('/')).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

function component(osVersion: string, imageType: number, name: string, bytes: number): Component {
  return {
    uid: guid('component', name),
    image_type: imageType,
    is_update_staged: false,
    does_image_type_require_restart: imageType !== 10,
    images: [{uid: guid('image', osVersion, name), length_in_bytes: bytes, uncompressed_length_in_bytes: bytes, replica_type: 0}],
    name,
  }
}

/** The OS components of `osVersion`, then gdbserver when the device is in development mode. */
export function osImageComponents(osVersion: string, development: boolean): Component[] {
  const out = OS_COMPONENTS.map(([t, name, bytes]) => component(osVersion, t, name, bytes))
  if (development) out.push(component(osVersion, 10, 'gdbserver', GDBSERVER_BYTES))
  return out
}
