/**
 * What the CLI advises for an error a device reported: the one place a device failure becomes CLI advice
 * (the OS itself never names CLI commands). Keyed by the device API error code (REST_ERRORS) and, where the
 * same code means different things, the HTTP status.
 */
import {join} from 'node:path'
import {DeviceApiError} from '../device/api-error.js'
import {SphereError} from '../util/errors.js'
import type {RestErrorName} from '../protocol/api/index.js'
import {CAPABILITY_IDS, REST_ERRORS} from '../protocol/rest-api.js'

const ADVICE: Partial<Record<RestErrorName, {status?: number; advice: string[]}[]>> = {
  appNotPresent: [{advice: ['List installed apps with: sphere device image list-installed']}],
  imageNotStaged: [
    {
      status: 403,
      advice: [
        'Sideloading needs development mode: sphere device enable-development',
        'Check that the package is signed with a key the device trusts: sphere image verify',
      ],
    },
  ],
  noSpace: [{advice: ['Free space by removing an app: sphere device sideload delete --component-id ID']}],
  appExists: [{advice: ['Remove the installed app first: sphere device sideload delete --component-id ID']}],
  certNotFound: [{advice: ['List the certificates on the device: sphere device certificate list']}],
  certStoreFull: [{advice: ['Remove a certificate first: sphere device certificate delete --certificate ID']}],
  networkNotFound: [{advice: ['List the stored Wi-Fi networks: sphere device wifi list']}],
  wifiDisabled: [{advice: ['Enable the Wi-Fi interface: sphere device network enable --interface wlan0']}],
  gpioInUse: [{advice: ['See which app holds the pin: sphere device app show-status']}],
}

/** How a line names what a request was about, by route path parameter (src/protocol/api). */
const SUBJECTS: Record<string, string> = {
  componentId: 'component ID',
  certificateId: 'certificate',
  networkId: 'network ID',
  interfaceName: 'interface',
}

/**
 * A device error's line with the thing the request was about named, when the device's text does not name it
 * (`Application is not present (component ID ...)`); other errors unchanged.
 */
export function withDeviceErrorSubject(message: string, err: unknown): string {
  if (!(err instanceof DeviceApiError)) return message
  const named = Object.entries(err.params)
    .filter(([k, v]) => SUBJECTS[k] !== undefined && !message.toLowerCase().includes(v.toLowerCase()))
    .map(([k, v]) => `${SUBJECTS[k]} ${v}`)
  if (err.carried) named.push(err.carried)
  if (named.length === 0) return message
  return message.replace(/\.?$/, (end) => ` (${named.join(', ')})${end}`)
}

/** A device's refusal of what a file held (the request names no file), with the file named: `(capability file a.cap)`. */
export function refusalOfFile(err: unknown, what: string, path: string): unknown {
  if (!(err instanceof DeviceApiError)) return err
  return new DeviceApiError(err.status, err.deviceErrorCode, err.message, err.suggestions, err.params, `${what} ${path}`)
}

/** The CLI's advice for `err` (empty when it is not a device error the CLI knows). */
export function deviceErrorAdvice(err: unknown): string[] {
  if (!(err instanceof DeviceApiError) || err.deviceErrorCode === undefined) return []
  const name = (Object.keys(REST_ERRORS) as RestErrorName[]).find((n) => REST_ERRORS[n].code === err.deviceErrorCode)
  const rules = name ? (ADVICE[name] ?? []) : []
  return rules.filter((r) => r.status === undefined || r.status === err.status).flatMap((r) => r.advice)
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46]

/** The device calls packageRefusal may make (both are real device API calls: capabilities, manufacturing state). */
export interface RefusingDevice {
  capabilities(): Promise<{device_capabilities: number[]}>
  manufacturingState(): Promise<{manufacturingState: string}>
}

/**
 * Why a device refused to stage an image package (7340050 tells only that it did), found from the package, this
 * machine's trust store and, for a package that shows nothing wrong, the device's own state: one line naming the file,
 * the reason (an untrusted signer and its key ID, no signature, an ARM binary, no development mode, a finished
 * DeviceComplete product) and the fix. Undefined when none of these explains it.
 */
export async function packageRefusal(
  err: unknown,
  path: string,
  bytes: Uint8Array,
  home: string,
  device?: RefusingDevice,
): Promise<SphereError | undefined> {
  if (!(err instanceof DeviceApiError) || err.deviceErrorCode !== REST_ERRORS.imageNotStaged.code) return undefined
  const code = `(device error ${REST_ERRORS.imageNotStaged.code})`
  // loaded here, on the failure path only: every command's start-up loads this module, and few need image packages
  const {loadTrustStore, parseImagePackage, verifyImagePackage} = await import('../image/index.js')
  let pkg
  try {
    pkg = parseImagePackage(bytes)
  } catch {
    return undefined
  }
  const sign = `\`sphere image sign -p ${path}\``
  if (err.status === 403) {
    if (pkg.signature.unsigned)
      return new SphereError('IMAGE_UNSIGNED', `The device refused ${path}: the package is not signed; sign it with ${sign} ${code}.`)
    const v = verifyImagePackage(bytes, loadTrustStore(home, {createDevKey: false}))
    if (!v.ok && (v.code === 'IMAGE_BAD_SIGNATURE' || v.code === 'IMAGE_UNTRUSTED'))
      return new SphereError(
        'IMAGE_UNTRUSTED',
        `The device refused ${path}: its signer (key ID ${pkg.signature.thumbprint.toLowerCase()}) is not trusted here; ` +
          `re-sign it with your key (${sign}), add the signer's certificate to ${join(home, 'trust')}/, ` +
          `or set SPHERE_HOME to the folder of the machine that signed it ${code}.`,
      )
  }
  const entry = String(pkg.manifest?.EntryPoint ?? '/bin/app').replace(/^\/+/, '')
  const bin = pkg.files.get(entry)
  if (bin && ELF_MAGIC.every((b, i) => bin[i] === b))
    return new SphereError(
      'APP_NOT_WASM',
      `The device refused ${path}: ${entry} is an ARM (ELF) executable built for a real MT3620, and the simulator runs ` +
        `WebAssembly apps; build the app for the simulator with \`sphere app build\` ${code}.`,
    )
  if (err.status === 403 && device) return sideloadNotAllowed(device, path, code)
  return undefined
}

/** A sound package refused with 403: the device's capabilities and manufacturing state say whether it takes sideloads. */
async function sideloadNotAllowed(device: RefusingDevice, path: string, code: string): Promise<SphereError | undefined> {
  let caps: number[]
  let state: string
  try {
    ;[caps, state] = await Promise.all([
      device.capabilities().then((c) => c.device_capabilities),
      device.manufacturingState().then((m) => m.manufacturingState),
    ])
  } catch {
    return undefined
  }
  if (caps.includes(CAPABILITY_IDS.fieldServicing)) return undefined
  if (state === 'DeviceComplete')
    return new SphereError(
      'SIDELOAD_NOT_ALLOWED',
      `The device refused ${path}: the device is DeviceComplete (a finished product) and takes sideloaded apps only with the ` +
        `fieldServicing capability; apply one with \`sphere device capability apply --capability-file FILE\` ${code}.`,
    )
  if (!caps.includes(CAPABILITY_IDS.appDevelopment))
    return new SphereError(
      'SIDELOAD_NOT_ALLOWED',
      `The device refused ${path}: the device is not in development mode; enable it with \`sphere device enable-development\` ${code}.`,
    )
  return undefined
}
