/**
 * What the OS's libcurl (src/os/runtime/curl.ts) needs from the device's network services to reach a server:
 * how a name resolves, where a device-visible address and port go on the host, and the device's own client
 * certificate. What a server is verified against is the OS's one trust rule (runtime/trust.ts), the proxy the
 * device's configuration (NetHost.proxy). src/os/services/internet.ts implements it (the runtime never imports
 * services).
 */

/** Where a connection to a device-visible address and port goes on the host. */
export interface HostEndpoint {
  host: string
  port: number
}

export interface HttpHost {
  /** The device-visible IPv4 address of `name` (an IPv4 literal resolves to itself); undefined: no such name. */
  resolve(name: string): string | undefined
  /**
   * Where a TCP connection to `ip`:`port` goes on the host (libcurl's and an app's own TCP sockets' connects);
   * undefined: nothing answers there (an unroutable address, or a port a local-internet site does not serve).
   */
  endpoint(ip: string, port: number): HostEndpoint | undefined
  /** The device's own client certificate and key (PEM), what DeviceAuth_GetCertificatePath names. */
  deviceIdentity(): {cert: string; key: string}
}

/** The path DeviceAuth_GetCertificatePath gives (sdk/libapplibs/curl.c): CURLOPT_SSLCERT naming it means the device certificate. */
export const DEVICE_AUTH_CERT_PATH = '/run/deviceauth/certificate.pem'
