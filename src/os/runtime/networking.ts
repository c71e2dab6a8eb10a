import {Errno} from '../kernel/errno.js'
import {NS_PER_S} from '../kernel/clock.js'
import type {Kernel} from '../kernel/kernel.js'
import type {Operation} from '../lsm/lsm.js'
import type {SysCtx} from './context.js'
import type {DeviceProxy, StaticIpConfig} from './net-host.js'
import {NetErrno} from './sockets.js'
import {syscall, type Impl, type Syscall, type SyscallGroup} from './syscalls/types.js'

/**
 * The `networking_*` imports of the `applibs` module (sdk/ABI.md): interface state and listing, IP
 * configuration, the DHCP / SNTP servers, hardware addresses, time-sync and proxy settings. Configuration
 * calls pass the LSM by their table entry (NetworkConfig, DhcpService, SntpService, HardwareAddressConfig,
 * TimeSyncConfig, ReadNetworkProxyConfig).
 */

const dec = new TextDecoder('utf-8', {fatal: true})
const IF_NAMESIZE = 16
const RECORD_BYTES = 32

/** A network-order u32 (as the C structs keep in_addr) as dotted IPv4. */
const ipValue = (ip: string): number => ip.split('.').reduceRight((v, b) => ((v << 8) | Number(b)) >>> 0, 0)
const ipOf = (v: number): string => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24].join('.')

/** An interface name argument (ptr, len) as a string, or -errno. */
function ifName(c: SysCtx, ptr: number, len: number): string | number {
  if (ptr === 0 || len < 0 || !c.mem.ok(ptr, len)) return -Errno.EFAULT
  if (len >= IF_NAMESIZE) return -Errno.ENOENT
  try {
    return dec.decode(c.mem.read(ptr, len)).replace(/\0.*$/s, '')
  } catch {
    return -Errno.EINVAL
  }
}

/** Decoder: the (name, len) pair becomes the name; the other arguments follow. */
function named(c: SysCtx, ptr: number, len: number, ...rest: number[]): unknown[] | number {
  const n = ifName(c, ptr, len)
  return typeof n === 'number' ? n : [n, ...rest]
}

/**
 * Changes of the device's proxy configuration apps may make per minute (device time). The configuration is
 * the device's persisted one (the REST API's net/proxy): without a bound an app with NetworkConfig rewrites
 * the state file and wakes every event-stream client in a loop (catalogue a99).
 */
export const PROXY_CHANGES_PER_MINUTE = 10
const proxyChanges = new WeakMap<Kernel, number[]>()
/** The NTP server the time-sync service uses (Networking_TimeSync_Enable*Ntp), per device. */
const ntpServers = new WeakMap<Kernel, string>()
/** The Azure Sphere default NTP server. */
const DEFAULT_NTP_SERVER = 'prod.time.sphere.azure.net'
/** Networking_ProxyOptions_Enabled; Networking_ProxyStatus bits Enabled 1, Ready 4. */
const PROXY_NONE = 1
const PROXY_ENABLED = 2
const PROXY_STATUS_ENABLED = 1
const PROXY_STATUS_READY = 4
const PROXY_BYTES = 648
/** (offset, size) of the strings of the proxy record. */
const PROXY_STRINGS = [
  ['address', 8, 256],
  ['noProxy', 264, 256],
  ['username', 520, 64],
  ['password', 584, 64],
] as const

function networkingImports(c: SysCtx): Record<string, Impl> {
  const {mem, kernel} = c
  const cstr = (off: number, size: number): string | undefined => {
    const b = mem.bytes().subarray(off, off + size)
    const end = b.indexOf(0)
    if (end < 0) return undefined // not NUL-terminated within its field
    try {
      return dec.decode(b.subarray(0, end))
    } catch {
      return undefined
    }
  }
  const host = (): NonNullable<SysCtx['env']['net']> | number => c.env.net ?? -NetErrno.ENETDOWN

  return {
    networking_is_ready(out: number): number {
      if (out === 0 || !mem.ok(out, 1)) return -Errno.EFAULT
      mem.setU8(out, c.env.net?.isReady() ? 1 : 0)
      return 0
    },
    networking_get_interface_count(): number {
      const h = host()
      return typeof h === 'number' ? h : h.interfaces().length
    },
    networking_get_interfaces(out: number, count: number): number {
      const h = host()
      if (typeof h === 'number') return h
      if (count <= 0) return -Errno.EINVAL
      if (out === 0 || !mem.ok(out, count * RECORD_BYTES)) return -Errno.EFAULT
      const list = h.interfaces().slice(0, count)
      const b = mem.bytes()
      list.forEach((i, k) => {
        const p = (out >>> 0) + k * RECORD_BYTES
        b.fill(0, p, p + RECORD_BYTES)
        b[p + 4] = i.up ? 1 : 0
        b.set(new TextEncoder().encode(i.name).subarray(0, IF_NAMESIZE - 1), p + 5)
        b[p + 28] = i.ipType
        b[p + 29] = i.medium
      })
      return list.length
    },
    networking_set_interface_state(n: string, enabled: number): number {
      const h = host()
      return typeof h === 'number' ? h : h.setInterfaceUp(n, enabled !== 0)
    },
    networking_get_interface_connection_status(n: string, out: number): number {
      if (out === 0 || !mem.ok(out, 4)) return -Errno.EFAULT
      const h = host()
      if (typeof h === 'number') return h
      const i = h.interfaces().find((x) => x.name === n)
      if (!i) return -Errno.ENOENT
      mem.setU32(out, i.status)
      return 0
    },
    networking_get_interface_address(n: string, out: number): number {
      if (out === 0 || !mem.ok(out, 8)) return -Errno.EFAULT
      const h = host()
      if (typeof h === 'number') return h
      const i = h.interfaces().find((x) => x.name === n)
      if (!i) return -Errno.ENOENT
      const ip = i.addresses[0]
      if (ip === undefined) return 0
      mem.setU32(out, ipValue(ip))
      mem.setU32(out + 4, ipValue(i.netmask ?? '255.255.255.0'))
      return 1
    },
    networking_ip_config_apply(n: string, cfg: number): number {
      if (cfg === 0 || !mem.ok(cfg, 32)) return -Errno.EFAULT
      const h = host()
      if (typeof h === 'number') return h
      const flags = mem.u32(cfg)
      const config: StaticIpConfig = {dns: []}
      if (flags & 1) {
        config.ip = ipOf(mem.u32(cfg + 4))
        config.mask = ipOf(mem.u32(cfg + 8))
        config.gateway = ipOf(mem.u32(cfg + 12))
      }
      if (flags & 2) {
        const count = Math.min(3, mem.u32(cfg + 16))
        for (let i = 0; i < count; i++) config.dns.push(ipOf(mem.u32(cfg + 20 + i * 4)))
      }
      return h.applyIpConfig(n, config)
    },
    networking_ip_release(n: string): number {
      const h = host()
      return typeof h === 'number' ? h : h.renewIp(n, true)
    },
    networking_ip_renew(n: string): number {
      const h = host()
      return typeof h === 'number' ? h : h.renewIp(n, false)
    },
    networking_sntp_server_start(n: string): number {
      const h = host()
      return typeof h === 'number' ? h : h.startSntpServer(n)
    },
    networking_dhcp_server_start(n: string, cfg: number): number {
      if (cfg === 0 || !mem.ok(cfg, 36)) return -Errno.EFAULT
      const h = host()
      if (typeof h === 'number') return h
      const ntpCount = mem.u32(cfg + 20)
      if (ntpCount > 3) return -Errno.EINVAL
      const count = mem.u32(cfg + 16)
      if (count === 0 || count > 255) return -Errno.EINVAL
      return h.startDhcpServer(n, {
        startIp: ipOf(mem.u32(cfg)),
        mask: ipOf(mem.u32(cfg + 4)),
        gateway: ipOf(mem.u32(cfg + 8)),
        leaseHours: mem.u32(cfg + 12),
        count,
        ntp: Array.from({length: ntpCount}, (_, i) => ipOf(mem.u32(cfg + 24 + i * 4))),
      })
    },
    networking_set_hardware_address(n: string, addr: number, addrLen: number): number {
      if (addr === 0 || addrLen < 0 || !mem.ok(addr, addrLen)) return -Errno.EFAULT
      if (addrLen !== 6) return -Errno.EINVAL // ERANGE (> 6) is the C library's
      const mac = mem.read(addr, 6)
      if (mac.every((b) => b === 0) || (mac[0]! & 1) !== 0) return -Errno.EINVAL
      const h = host()
      return typeof h === 'number' ? h : h.setHardwareAddress(n, mac)
    },
    networking_get_hardware_address(n: string, out: number): number {
      if (out === 0 || !mem.ok(out, 6)) return -Errno.EFAULT
      const h = host()
      if (typeof h === 'number') return h
      const i = h.interfaces().find((x) => x.name === n)
      if (!i) return -Errno.ENOENT
      if (!i.hardwareAddress) return -Errno.EPERM
      mem.write(out, i.hardwareAddress)
      return 0
    },
    networking_timesync_set_enabled(enabled: number): number {
      const h = host()
      if (typeof h === 'number') return h
      h.timeSyncEnabled = enabled !== 0
      return 0
    },
    networking_timesync_get_enabled(out: number): number {
      if (out === 0 || !mem.ok(out, 1)) return -Errno.EFAULT
      mem.setU8(out, c.env.net?.timeSyncEnabled ? 1 : 0)
      return 0
    },
    networking_timesync_enable_default_ntp(): number {
      ntpServers.set(kernel, DEFAULT_NTP_SERVER)
      return 0
    },
    networking_timesync_enable_automatic_ntp(option: number): number {
      if (option !== 0 && option !== 1) return -Errno.EINVAL
      // the simulated DHCP lease names no NTP server: the default one is used (the fallback)
      ntpServers.set(kernel, DEFAULT_NTP_SERVER)
      return 0
    },
    networking_timesync_enable_custom_ntp(primary: number, primaryLen: number): number {
      const name = cstr(primary >>> 0, primaryLen)
      if (name === undefined || name === '') return -Errno.EINVAL
      ntpServers.set(kernel, name)
      return 0
    },
    networking_timesync_get_last_ntp_sync_info(server: number, lenPtr: number, before: number, ntp: number): number {
      if (server !== 0 && lenPtr === 0) return -Errno.EFAULT
      const h = host()
      if (typeof h === 'number') return h
      // The device syncs once it is on the network with time sync enabled. The simulated clock is exact, so
      // the time before the sync and the NTP time are the same instant: the device's time now.
      if (!h.timeSyncEnabled || !h.isReady()) return -Errno.ENOENT
      const name = new TextEncoder().encode(ntpServers.get(kernel) ?? DEFAULT_NTP_SERVER)
      if (server !== 0) {
        const need = name.length + 1
        if (mem.u32(lenPtr) < need) {
          mem.setU32(lenPtr, need)
          return -Errno.ENOBUFS
        }
        if (!mem.ok(server, need)) return -Errno.EFAULT
        mem.write(server, name)
        mem.setU8(server + name.length, 0)
        mem.setU32(lenPtr, need)
      }
      const t = new Date(Math.floor(kernel.clock.realtimeAt(kernel.now()) / 1e6))
      for (const at of [before, ntp]) {
        if (at === 0) continue
        const fields = [
          t.getUTCSeconds(),
          t.getUTCMinutes(),
          t.getUTCHours(),
          t.getUTCDate(),
          t.getUTCMonth(),
          t.getUTCFullYear() - 1900,
          t.getUTCDay(),
          Math.floor((Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()) - Date.UTC(t.getUTCFullYear(), 0, 1)) / 86_400_000),
          0, // tm_isdst
          0, // tm_gmtoff
          0, // tm_zone (NULL)
        ]
        fields.forEach((v, i) => mem.view().setInt32((at >>> 0) + i * 4, v, true))
      }
      return 0
    },
    networking_proxy_apply(cfg: number): number {
      const options = mem.u32(cfg)
      const type = mem.view().getInt8(cfg + 6)
      const authType = mem.view().getInt8(cfg + 7)
      const strs: Partial<Record<(typeof PROXY_STRINGS)[number][0], string>> = {}
      for (const [k, off, size] of PROXY_STRINGS) {
        const v = cstr((cfg >>> 0) + off, size)
        if (v === undefined) return -Errno.EINVAL
        strs[k] = v
      }
      if (options & ~(1 | PROXY_ENABLED) || type !== 0 || (authType !== 0 && authType !== 1)) return -Errno.EINVAL
      if (options & PROXY_ENABLED && strs.address === '') return -Errno.EINVAL
      if (authType === 1 && strs.username === '') return -Errno.EINVAL
      const net = c.env.net
      if (!net?.applyProxy) return -NetErrno.ENETDOWN
      // the device's one proxy store, in the REST API's shape (a disabled record without an address: none)
      const next: DeviceProxy | undefined =
        strs.address === ''
          ? undefined
          : {
              enabled: (options & PROXY_ENABLED) !== 0,
              address: strs.address!,
              port: mem.view().getUint16(cfg + 4, true),
              noProxyAddresses: strs.noProxy!.split(',').map((s) => s.trim()).filter((s) => s !== ''),
              authenticationType: authType === 1 ? 'basic' : 'anonymous',
              ...(authType === 1 ? {username: strs.username!, password: strs.password!} : {}),
            }
      const now = net.proxy?.()
      if (JSON.stringify(now ?? null) === JSON.stringify(next ?? null)) return 0
      const recent = (proxyChanges.get(kernel) ?? []).filter((t) => kernel.now() - t < 60 * NS_PER_S)
      if (recent.length >= PROXY_CHANGES_PER_MINUTE) {
        c.lsm.deny(
          c.subject,
          {op: 'resource.limit', resource: 'proxy configuration changes', limit: PROXY_CHANGES_PER_MINUTE},
          `proxy configuration changes are at their limit (${PROXY_CHANGES_PER_MINUTE} a minute)`,
          Errno.EAGAIN,
        )
        proxyChanges.set(kernel, recent)
        return -Errno.EAGAIN
      }
      const r = net.applyProxy(next)
      if (r !== 0) return r
      recent.push(kernel.now())
      proxyChanges.set(kernel, recent)
      return 0
    },
    networking_proxy_get(cfg: number): number {
      const p = c.env.net?.proxy?.()
      if (!p) return -Errno.ENOENT
      const b = mem.bytes()
      const base = cfg >>> 0
      b.fill(0, base, base + PROXY_BYTES)
      mem.setU32(base, p.enabled ? PROXY_ENABLED : PROXY_NONE)
      mem.setU16(base + 4, p.port)
      mem.view().setInt8(base + 6, 0) // HTTP
      mem.view().setInt8(base + 7, p.authenticationType === 'basic' ? 1 : 0)
      const strs: Record<(typeof PROXY_STRINGS)[number][0], string> = {
        address: p.address,
        noProxy: p.noProxyAddresses.join(','),
        username: p.username ?? '',
        password: p.password ?? '',
      }
      for (const [k, off, size] of PROXY_STRINGS) b.set(new TextEncoder().encode(strs[k]).subarray(0, size - 1), base + off)
      return 0
    },
    networking_proxy_get_status(out: number): number {
      const p = c.env.net?.proxy?.()
      mem.setU32(out, p?.enabled ? PROXY_STATUS_ENABLED | PROXY_STATUS_READY : 0)
      return 0
    },
  }
}

const A = 'applibs'
const cap =
  (capability: string | readonly string[], action: (n: string, v: number) => string) =>
  (_c: SysCtx, n: string, v: number): Operation => ({op: 'capability', capability, action: action(n, v)})
const read = {none: 'reads network state every app may see'}
const net = (name: string, params: string, o: Omit<Syscall, 'module' | 'name' | 'params' | 'ret'>): Syscall =>
  syscall(A, name, params, o)

export const networkingGroup: SyscallGroup = {
  source: 'src/os/runtime/networking.ts',
  bind: networkingImports,
  entries: [
    net('networking_is_ready', 'uint8_t *out', {returns: '0', policy: read, doc: '`Networking_IsNetworkingReady` (writes one byte)'}),
    net('networking_get_interface_count', '', {returns: 'n', policy: read, doc: '`Networking_GetInterfaceCount`'}),
    net('networking_get_interfaces', 'void *out, uint32_t count', {returns: 'n', policy: read,
      doc: 'fills `Networking_NetworkInterface` v1 records (32 B: `u32 magic; u8 isEnabled; char name[16]; pad; u32 reserved; u8 ipConfigurationType; u8 interfaceMediumType; pad`); the C library stamps the magic'}),
    net('networking_set_interface_state', 'const char *name, uint32_t len, int32_t enabled', {returns: '0', decode: named,
      policy: cap('NetworkConfig', (n, v) => `set ${n} ${v ? 'up' : 'down'}`), doc: '`Networking_SetInterfaceState` (LSM: NetworkConfig)'}),
    net('networking_get_interface_connection_status', 'const char *name, uint32_t len, uint32_t *out', {returns: '0', decode: named,
      policy: read, doc: 'writes a u32 bitmask'}),
    net('networking_get_interface_address', 'const char *name, uint32_t len, uint32_t *out', {returns: 'n', mem: ['out[8]!'], decode: named,
      policy: read, doc: '`getifaddrs` (the C library walks the interfaces): writes `{u32 ip; u32 netmask}` (network byte order) of the interface\'s IPv4 address and returns 1, or returns 0 when it has none (down, or released with `Networking_IpConfig_ReleaseIp`)'}),
    net('networking_ip_config_apply', 'const char *name, uint32_t len, const void *config', {returns: '0', mem: ['config[32]!'], decode: named,
      policy: cap('NetworkConfig', (n) => `configure IP of ${n}`),
      doc: 'config = `{u32 flags (1 static IP, 2 custom DNS); u32 ip; u32 mask; u32 gateway; u32 dnsCount; u32 dns[3]}` (network byte order addresses); LSM: NetworkConfig'}),
    net('networking_ip_release', 'const char *name, uint32_t len', {returns: '0', decode: named,
      policy: cap('NetworkConfig', (n) => `release IP of ${n}`), doc: '`Networking_IpConfig_ReleaseIp` (LSM: NetworkConfig)'}),
    net('networking_ip_renew', 'const char *name, uint32_t len', {returns: '0', decode: named,
      policy: cap('NetworkConfig', (n) => `renew IP of ${n}`), doc: '`Networking_IpConfig_RenewIp` (LSM: NetworkConfig)'}),
    net('networking_timesync_set_enabled', 'int32_t enabled', {returns: '0',
      policy: (_c, enabled: number) => ({op: 'capability', capability: 'TimeSyncConfig', action: enabled ? 'enable time sync' : 'disable time sync'}),
      doc: '`Networking_TimeSync_SetEnabled` (LSM: TimeSyncConfig)'}),
    net('networking_timesync_get_enabled', 'uint8_t *out', {returns: '0', policy: read, doc: '`Networking_TimeSync_GetEnabled` (writes one byte)'}),
    net('networking_timesync_enable_default_ntp', '', {returns: '0',
      policy: () => ({op: 'capability', capability: 'TimeSyncConfig', action: 'use the default NTP server'}), doc: 'LSM: TimeSyncConfig'}),
    net('networking_timesync_enable_automatic_ntp', 'uint32_t option', {returns: '0',
      policy: (_c, option: number) =>
        option !== 0 && option !== 1 ? undefined : {op: 'capability', capability: 'TimeSyncConfig', action: 'use NTP servers from DHCP'},
      doc: 'LSM: TimeSyncConfig'}),
    net('networking_timesync_enable_custom_ntp', 'const char *primary, uint32_t primaryLen, const char *secondary, uint32_t secondaryLen, uint32_t option', {
      returns: '0', mem: ['primary[primaryLen]!'],
      policy: () => ({op: 'capability', capability: 'TimeSyncConfig', action: 'use custom NTP servers'}), doc: 'LSM: TimeSyncConfig'}),
    net('networking_timesync_get_last_ntp_sync_info', 'char *server, uint32_t *inOutLen, void *before, void *ntpTime', {returns: '0',
      mem: ['inOutLen[4]?', 'before[44]?', 'ntpTime[44]?'], policy: read,
      doc: '`len` points to a u32 (in: the buffer size; out: the name\'s size with its NUL; ENOBUFS when it does not fit); `struct tm` = 9 i32 + i32 gmtoff + ptr zone (44 B), UTC; the server is the configured one (custom, else `prod.time.sphere.azure.net`); ENOENT while time sync is disabled or the device is not on the network'}),
    net('networking_sntp_server_start', 'const char *name, uint32_t len', {returns: '0', decode: named,
      policy: cap('SntpService', (n) => `start SNTP server on ${n}`), doc: 'LSM: SntpService'}),
    net('networking_dhcp_server_start', 'const char *name, uint32_t len, const void *config', {returns: '0', mem: ['config[36]!'], decode: named,
      policy: cap('DhcpService', (n) => `start DHCP server on ${n}`),
      doc: 'config = `{u32 startIp; u32 mask; u32 gateway; u32 leaseHours; u32 count; u32 ntpCount; u32 ntp[3]}`; LSM: DhcpService'}),
    net('networking_set_hardware_address', 'const char *name, uint32_t len, const uint8_t *address, uint32_t addressLen', {returns: '0',
      mem: ['address[addressLen]!'], decode: named,
      policy: cap('HardwareAddressConfig', (n) => `set hardware address of ${n}`), doc: '6-byte MAC; LSM: HardwareAddressConfig'}),
    net('networking_get_hardware_address', 'const char *name, uint32_t len, uint8_t *out', {returns: '0', decode: named, policy: read,
      doc: 'writes the 6-byte MAC'}),
    net('networking_proxy_apply', 'const void *config', {returns: '0', mem: ['config[648]!'],
      policy: () => ({op: 'capability', capability: 'NetworkConfig', action: 'apply proxy settings'}),
      doc: 'config (648 B) = `{u32 options; u16 port; i8 type; i8 authType; char address[256]; char noProxy[256]; char username[64]; char password[64]}` (NUL-terminated strings); options None 1, Enabled 2; stored as the device\'s proxy configuration, the one the REST API serves at net/proxy; a record without an address removes it; EAGAIN past 10 changes a minute; LSM: NetworkConfig'}),
    net('networking_proxy_get', 'void *config', {returns: '0', mem: ['config[648]!'],
      policy: () => ({op: 'capability', capability: ['NetworkConfig', 'ReadNetworkProxyConfig'], action: 'read proxy settings'}),
      doc: 'fills the 648-byte record from the device\'s proxy configuration (set by Networking_Proxy_Apply or the REST API); ENOENT when none is configured; LSM: NetworkConfig or ReadNetworkProxyConfig'}),
    net('networking_proxy_get_status', 'uint32_t *out', {returns: '0', mem: ['out[4]!'], policy: read,
      doc: 'u32 bitmask: Enabled 1, ResolvingProxyName 2, Ready 4'}),
  ],
}
