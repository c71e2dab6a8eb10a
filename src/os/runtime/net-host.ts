/**
 * What the socket and networking syscalls need from the device's network service (src/os/services/network.ts
 * implements it; the runtime never imports services). Addresses are dotted IPv4 strings; errors are negative
 * errnos in the WASI numbering.
 */

/** Networking_InterfaceConnectionStatus bits. */
export const IFACE_UP = 1
export const IFACE_CONNECTED = 2
export const IFACE_IP = 4
export const IFACE_INTERNET = 8

export interface NetInterfaceInfo {
  name: string
  up: boolean
  /** Networking_IpType: 0 DhcpNone (static), 1 DhcpClient. */
  ipType: 0 | 1
  /** Networking_InterfaceMedium: 0 unspecified, 1 Wi-Fi, 2 Ethernet. */
  medium: 0 | 1 | 2
  /** Networking_InterfaceConnectionStatus bitmask. */
  status: number
  /** 6 bytes, or undefined for the service interface. */
  hardwareAddress?: Uint8Array
  /** Device-visible IPv4 addresses of the interface. */
  addresses: string[]
  /** Netmask of the first address (default 255.255.255.0, the simulated DHCP lease). */
  netmask?: string
}

export interface StaticIpConfig {
  /** undefined: dynamic (DHCP client). */
  ip?: string
  mask?: string
  gateway?: string
  dns: string[]
}

export interface DhcpServerConfig {
  startIp: string
  count: number
  mask: string
  gateway: string
  leaseHours: number
  ntp: string[]
}

/** A socket of an app listening on the host (what the simulator opened on the host for it). */
export interface HostListener {
  componentId: string
  pid: number
  protocol: 'tcp' | 'udp'
  /** The address and port the app bound on the device. */
  deviceAddress: string
  devicePort: number
  /** Where the host can reach it. */
  hostAddress: string
  hostPort: number
}

/**
 * The device's proxy configuration: one per device, what `sphere device network proxy apply` stores through
 * the REST API (net/proxy, the same shape) and Networking_Proxy_Apply stores from an app with NetworkConfig.
 */
export interface DeviceProxy {
  enabled: boolean
  address: string
  port: number
  noProxyAddresses: string[]
  authenticationType: 'anonymous' | 'basic'
  username?: string
  password?: string
}

export interface NetHost {
  /** Networking_IsNetworkingReady. */
  isReady(): boolean
  interfaces(): NetInterfaceInfo[]
  /** 0 or -errno (ENOENT unknown interface, EPERM service interface). */
  setInterfaceUp(name: string, up: boolean): number
  applyIpConfig(name: string, cfg: StaticIpConfig): number
  /** 0 or -errno. */
  renewIp(name: string, release: boolean): number
  setHardwareAddress(name: string, mac: Uint8Array): number
  startSntpServer(name: string): number
  startDhcpServer(name: string, cfg: DhcpServerConfig): number
  /** The host address a connection to device-visible `ip` goes to, or -errno (ENETUNREACH). */
  route(ip: string): string | number
  /** Is `ip` an address the device may bind (0.0.0.0, loopback, an interface address)? */
  isLocalAddress(ip: string): boolean
  /** The host address and port to open for an app's bind to `port` (port 0 = any free port). */
  listenOn(protocol: 'tcp' | 'udp', port: number): {host: string; port: number}
  /** Networking_TimeSync_SetEnabled state (device-wide). */
  timeSyncEnabled: boolean
  /** Record a host listener while it is open; call the returned function when it closes. */
  addListener(l: HostListener): () => void
  /**
   * getaddrinfo's addresses for a name the LSM allowed ([] = does not resolve); a Promise when the host's
   * resolver is asked (internet mode). Absent: names do not resolve.
   */
  lookup?(name: string): string[] | Promise<string[]>
  /** The question name of a DNS message an app sends to the device's resolver (127.0.0.1:53), if it is one. */
  dnsQuestion?(msg: Uint8Array): string | undefined
  /** The device resolver's answer to that message (undefined: malformed, no answer). */
  dnsAnswer?(msg: Uint8Array): Uint8Array | undefined
  /** The device's proxy configuration (undefined: none configured). */
  proxy?(): DeviceProxy | undefined
  /** Store the device's proxy configuration (undefined: remove it); 0, or -EINVAL when the store refuses it. */
  applyProxy?(p: DeviceProxy | undefined): number
}
