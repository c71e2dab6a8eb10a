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
}
