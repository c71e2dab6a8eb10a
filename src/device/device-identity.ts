import {checkServerIdentity, type PeerCertificate} from 'node:tls'

/** The name device API clients check the device's certificate against (the Host header value, a literal `*`). */
export const DEVICE_API_HOST = '*.devices.sphere.azure.local'

/**
 * The device certificate's name check, as the real tools do it (the Python device API checks the certificate against
 * the Host header): the leaf must name `*.devices.sphere.azure.local`, whatever address the device was reached at. The
 * chain itself is verified by OpenSSL against the one pinned CA (device-ca.ts).
 */
export function checkDeviceIdentity(_host: string, cert: PeerCertificate): Error | undefined {
  return checkServerIdentity(DEVICE_API_HOST, cert)
}
