import {SphereError} from '../util/errors.js'

/**
 * A device API failure as the host sees it: the HTTP status, the device's error code when it sent one, and the path
 * parameters of the request (what it was about: a component ID, a certificate, a network, an interface).
 */
export class DeviceApiError extends SphereError {
  constructor(
    readonly status: number,
    readonly deviceErrorCode: number | undefined,
    message: string,
    suggestions: string[],
    readonly params: Readonly<Record<string, string>> = {},
    /** What the request carried, in words, when the request names no more than its route (`capability file a.cap`). */
    readonly carried?: string,
  ) {
    super(`DEVICE_HTTP_${status}`, message, {exit: 1, suggestions})
  }
}
