/**
 * Device API errors: a status (400/403/404/409/415/500 only) and an integer code from the clients' table.
 * Every failure the server sends is `{"error": <code>}`.
 */
import {REST_ERRORS} from '../../protocol/rest-api.js'
import {isSphereError} from '../../util/errors.js'
import {isOsError} from '../errors.js'

export type RestErrorName = keyof typeof REST_ERRORS
export type RestStatus = 400 | 403 | 404 | 409 | 415 | 500

export class RestError extends Error {
  constructor(
    readonly status: RestStatus,
    readonly code: number,
    message: string,
  ) {
    super(message)
    this.name = 'RestError'
  }
}

export function restError(status: RestStatus, name: RestErrorName, detail?: string): RestError {
  const e = REST_ERRORS[name]
  return new RestError(status, e.code, detail ?? e.message)
}

/**
 * How OsError codes (and the SphereError codes of the shared image layer) map to device API errors: the one
 * place an OS failure becomes an HTTP status and an error body. Choices where the
 * reference gives no fixed status/code are documented here:
 * - sideload refused (no appDevelopment, or DeviceComplete without fieldServicing), unsigned or untrusted
 *   package: 403 + 7340050 "Image could not be staged".
 * - malformed package: 400 + 7340050; manifest missing / invalid: 400 + 2097177 / 2097153.
 * - bad or oversize request bodies, wrong methods, unknown paths: 404/400 + 15728642 "Invalid request URI."
 *   (the only generic request code clients know).
 */
const CODE_MAP: Record<string, [RestStatus, RestErrorName]> = {
  APP_NOT_INSTALLED: [409, 'appNotPresent'],
  CERT_NOT_FOUND: [404, 'certNotFound'],
  CERT_STORE_FULL: [409, 'certStoreFull'],
  CERT_TYPE_INVALID: [400, 'certTypeInvalid'],
  CERT_INVALID: [400, 'invalidUri'],
  CERT_ID_INVALID: [400, 'invalidUri'],
  WIFI_NETWORK_NOT_FOUND: [404, 'networkNotFound'],
  WIFI_PSK_TOO_SHORT: [400, 'pskTooShort'],
  WIFI_NETWORK_EXISTS: [409, 'networkExists'],
  WIFI_INVALID: [400, 'invalidUri'],
  WIFI_FULL: [409, 'noSpace'],
  PROXY_INVALID: [400, 'invalidUri'],
  NET_BAD_INTERFACE: [400, 'invalidUri'],
  NET_BAD_HARDWARE_ADDRESS: [400, 'invalidUri'],
  RECOVER_REFUSED: [409, 'busy'],
  BOARD_CONFIG_INVALID: [400, 'imageNotStaged'],
  WORLD_BAD_PATH: [400, 'invalidUri'],
  DEVICE_BAD_CAPABILITY: [400, 'invalidUri'],
  DEVICE_BAD_MANUFACTURING_STATE: [400, 'invalidUri'],
  DEVICE_SIDELOAD_NOT_ALLOWED: [403, 'imageNotStaged'],
  OS_DEBUG_NOT_ALLOWED: [403, 'imageNotStaged'],
  IMAGE_UNSIGNED: [403, 'imageNotStaged'],
  IMAGE_UNTRUSTED: [403, 'imageNotStaged'],
  IMAGE_BAD_SIGNATURE: [403, 'imageNotStaged'],
  IMAGE_TOO_LARGE: [400, 'noSpace'],
  OS_FLASH_FULL: [409, 'noSpace'],
  IMAGE_COMPONENT_MISMATCH: [400, 'badComponentId'],
  IMAGE_DOWNGRADE: [403, 'imageNotStaged'],
  IMAGE_BAD_COMPONENT_ID: [400, 'badComponentId'],
  MANIFEST_MISSING: [400, 'manifestMissing'],
  MANIFEST_INVALID: [400, 'manifestParse'],
  APP_GPIO_UNDEFINED: [400, 'gpioUndefined'],
  APP_GPIO_IN_USE: [409, 'gpioInUse'],
  APP_EXISTS: [409, 'appExists'],
  DEVICE_BUSY: [409, 'busy'],
  CAPABILITY_BAD_FILE: [400, 'invalidUri'],
  CAPABILITY_UNKNOWN: [400, 'invalidUri'],
  CAPABILITY_BAD_SIGNATURE: [403, 'invalidUri'],
  CAPABILITY_WRONG_DEVICE: [403, 'invalidUri'],
  CLOCK_NOT_VIRTUAL: [409, 'busy'],
  SNAPSHOT_NOT_FOUND: [404, 'invalidUri'],
  SNAPSHOT_BAD_NAME: [400, 'invalidUri'],
  SNAPSHOT_REFUSED: [409, 'busy'],
  SNAPSHOT_INVALID: [400, 'invalidUri'],
  RECORDING_INVALID: [400, 'invalidUri'],
  RECORDING_TRUNCATED: [409, 'busy'],
  REPLAY_DIVERGED: [500, 'busy'],
}

/** Any thrown value as a RestError (unknown failures: 500 + 10485765 "Device is busy and refused request"). */
export function toRestError(e: unknown): RestError {
  if (e instanceof RestError) return e
  if (isOsError(e) && e.deviceErrorCode !== undefined) {
    const name = (Object.keys(REST_ERRORS) as RestErrorName[]).find((n) => REST_ERRORS[n].code === e.deviceErrorCode)
    if (name) return restError(CODE_MAP[e.code]?.[0] ?? 400, name, e.message)
  }
  if (isOsError(e) || isSphereError(e)) {
    const hit = CODE_MAP[e.code]
    if (hit) return restError(hit[0], hit[1], e.message)
    if (e.code.startsWith('IMAGE_') || e.code.startsWith('ASXIPFS') || e.code.startsWith('APP_NOT_WASM'))
      return restError(400, 'imageNotStaged', e.message)
    if (e.code.startsWith('MANIFEST_')) return restError(400, 'manifestParse', e.message)
  }
  return restError(500, 'busy', e instanceof Error ? e.message : String(e))
}
