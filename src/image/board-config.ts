/**
 * Board configuration image packages (image type 21, CustomerBoardConfig): what `image-package
 * pack-board-config` writes and the simulated OS installs on sideload. A board configuration tells the OS
 * about hardware on the board beyond the MT3620, e.g. an ENC28J60 Ethernet controller on an ISU.
 *
 * The package has the SDK's layout (ASXipFS + metadata + signature) with one file, board_config.json:
 * {"Preset": name, "Name": name}. The component ID is fixed per preset, so deploying a preset again
 * replaces the board configuration installed before.
 */
import {createHash, randomUUID} from 'node:crypto'
import {writeAsxipfs} from './asxipfs.js'
import {concatBytes, encodeUtf8, fail, isGuid, printable} from './binary.js'
import {
  IMAGE_TYPE_BOARD_CONFIG,
  TEMP_UNDER_DEVELOPMENT,
  encodeAbi,
  encodeDebug,
  encodeIdentity,
  encodeMetadata,
  encodeSignatureSection,
  encodeTemporaryImage,
  SectionId,
} from './metadata.js'
import {signBytes, SIGNATURE_SIZE_P256, type ImagePackage} from './package.js'
import type {SigningKey} from './keys.js'

export {IMAGE_TYPE_BOARD_CONFIG}

export const BOARD_CONFIG_FILE = 'board_config.json'

export interface BoardConfigPreset {
  description: string
  /** The ISU the device uses. */
  isu: number
  /** The interrupt GPIO. */
  interruptGpio: number
  /** The network interface the board configuration brings up. */
  networkInterface: string
}

/** The presets azsphere documents. */
export const BOARD_CONFIG_PRESETS: Readonly<Record<string, BoardConfigPreset>> = {
  'lan-enc28j60-isu0-int5': {
    description: 'Microchip ENC28J60 Ethernet controller on ISU0, interrupt on GPIO5',
    isu: 0,
    interruptGpio: 5,
    networkInterface: 'eth0',
  },
}

export interface BoardConfig {
  Preset: string
  Name: string
}

/** The fixed component ID of a preset's board configuration (a name-based UUID of the preset). */
export function boardConfigComponentId(preset: string): string {
  const h = createHash('sha256').update(`sphere board configuration/${preset}`).digest()
  h[6] = (h[6]! & 0x0f) | 0x50
  h[8] = (h[8]! & 0x3f) | 0x80
  const x = h.subarray(0, 16).toString('hex')
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`
}

function presetOrFail(preset: string): BoardConfigPreset {
  const p = BOARD_CONFIG_PRESETS[preset]
  if (!p)
    fail('BOARD_CONFIG_INVALID', `unknown board configuration preset "${printable(preset).slice(0, 60)}": known presets are ${Object.keys(BOARD_CONFIG_PRESETS).join(', ')}`)
  return p
}

export interface PackBoardConfigOptions {
  preset: string
  /** Image name (Debug section and board_config.json); default: the preset. */
  name?: string
  key?: SigningKey
  imageId?: string
  /** Build time in Unix seconds (default: now). */
  buildDate?: number
}

/** Pack a board configuration image package for `preset`. */
export function packBoardConfig(opts: PackBoardConfigOptions): Uint8Array {
  presetOrFail(opts.preset)
  const name = opts.name ?? opts.preset
  if (name === '' || Buffer.byteLength(name) > 31 || /[\u0000-\u001f]/.test(name))
    fail('BOARD_CONFIG_INVALID', `board configuration name "${printable(name).slice(0, 60)}" must be 1-31 bytes without control characters`)
  const body: BoardConfig = {Preset: opts.preset, Name: name}
  const fs = writeAsxipfs(new Map([[BOARD_CONFIG_FILE, encodeUtf8(JSON.stringify(body))]]))
  const imageId = opts.imageId ?? randomUUID()
  if (!isGuid(imageId)) fail('IMAGE_BAD_INPUT', `image id "${printable(imageId)}" is not a GUID`)
  const unsigned = concatBytes([
    fs,
    encodeMetadata([
      encodeIdentity(IMAGE_TYPE_BOARD_CONFIG, boardConfigComponentId(opts.preset), imageId),
      encodeSignatureSection(opts.key ? opts.key.thumbprint : new Uint8Array(20), 1),
      encodeDebug(name, opts.buildDate ?? Math.floor(Date.now() / 1000)),
      encodeTemporaryImage(TEMP_UNDER_DEVELOPMENT),
      encodeAbi(SectionId.ABIDepends, []),
    ]),
  ])
  return concatBytes([unsigned, opts.key ? signBytes(unsigned, opts.key) : new Uint8Array(SIGNATURE_SIZE_P256)])
}

/**
 * The board configuration a parsed package holds; throws BOARD_CONFIG_INVALID when it is not a board
 * configuration the device knows (wrong image type, no or malformed board_config.json, unknown preset, or
 * a component ID that is not the preset's).
 */
export function readBoardConfig(pkg: ImagePackage): BoardConfig & {preset: BoardConfigPreset} {
  if (pkg.identity.imageType !== IMAGE_TYPE_BOARD_CONFIG)
    fail('BOARD_CONFIG_INVALID', `the image package holds a ${pkg.identity.imageTypeName} image, not a board configuration`)
  const raw = pkg.files.get(BOARD_CONFIG_FILE)
  if (!raw) fail('BOARD_CONFIG_INVALID', `the board configuration package has no ${BOARD_CONFIG_FILE}`)
  let v: unknown
  try {
    v = JSON.parse(Buffer.from(raw).toString('utf8'))
  } catch {
    fail('BOARD_CONFIG_INVALID', `${BOARD_CONFIG_FILE} in the board configuration package is not valid JSON`)
  }
  const o = v as Partial<BoardConfig> | null
  if (!o || typeof o !== 'object' || typeof o.Preset !== 'string' || typeof o.Name !== 'string')
    fail('BOARD_CONFIG_INVALID', `${BOARD_CONFIG_FILE} must hold {"Preset": string, "Name": string}`)
  const preset = presetOrFail(o.Preset)
  if (pkg.identity.componentId.toLowerCase() !== boardConfigComponentId(o.Preset))
    fail('BOARD_CONFIG_INVALID', `the board configuration's component ID ${pkg.identity.componentId} is not the one of preset ${o.Preset}`)
  return {Preset: o.Preset, Name: o.Name, preset}
}
