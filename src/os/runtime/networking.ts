import {Errno} from '../kernel/errno.js'
import type {SysCtx} from './context.js'
import type {StaticIpConfig} from './net-host.js'
import {NetErrno} from './sockets.js'

/**
 * The `networking_*` imports of the `applibs` module (sdk/ABI.md): interface state and listing, IP
 * configuration, the DHCP / SNTP servers, hardware addresses and time-sync settings. Configuration calls
 * pass the LSM (NetworkConfig, DhcpService, SntpService, HardwareAddressConfig, TimeSyncConfig).
 */
type Fn = (...a: never[]) => number

const dec = new TextDecoder('utf-8', {fatal: true})
const IF_NAMESIZE = 16
const RECORD_BYTES = 32

/** A network-order u32 (as the C structs keep in_addr) as dotted IPv4. */
const ipOf = (v: number): string => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24].join('.')

export function networkingImports(c: SysCtx): Record<string, Fn> {
  const {mem, lsm} = c

  const name = (ptr: number, len: number): string | number => {
    if (ptr === 0 || len < 0 || !mem.ok(ptr, len)) return -Errno.EFAULT
    if (len >= IF_NAMESIZE) return -Errno.ENOENT
    try {
      return dec.decode(mem.read(ptr, len)).replace(/\0.*$/s, '')
    } catch {
      return -Errno.EINVAL
    }
  }
  const need = (capability: string | readonly string[], action: string): number => {
    const d = lsm.check(c.subject, {op: 'capability', capability, action})
    return d.allowed ? 0 : -d.errno
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
    networking_set_interface_state(ptr: number, len: number, enabled: number): number {
      const n = name(ptr, len)
      if (typeof n === 'number') return n
      const e = need('NetworkConfig', `set ${n} ${enabled ? 'up' : 'down'}`)
      if (e) return e
      const h = host()
      return typeof h === 'number' ? h : h.setInterfaceUp(n, enabled !== 0)
    },
    networking_get_interface_connection_status(ptr: number, len: number, out: number): number {
      const n = name(ptr, len)
      if (typeof n === 'number') return n
      if (out === 0 || !mem.ok(out, 4)) return -Errno.EFAULT
      const h = host()
      if (typeof h === 'number') return h
      const i = h.interfaces().find((x) => x.name === n)
      if (!i) return -Errno.ENOENT
      mem.setU32(out, i.status)
      return 0
    },
    networking_ip_config_apply(ptr: number, len: number, cfg: number): number {
      const n = name(ptr, len)
      if (typeof n === 'number') return n
      if (cfg === 0 || !mem.ok(cfg, 32)) return -Errno.EFAULT
      const e = need('NetworkConfig', `configure IP of ${n}`)
      if (e) return e
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
    networking_ip_release(ptr: number, len: number): number {
      const n = name(ptr, len)
      if (typeof n === 'number') return n
      const e = need('NetworkConfig', `release IP of ${n}`)
      if (e) return e
      const h = host()
      return typeof h === 'number' ? h : h.renewIp(n, true)
    },
    networking_ip_renew(ptr: number, len: number): number {
      const n = name(ptr, len)
      if (typeof n === 'number') return n
      const e = need('NetworkConfig', `renew IP of ${n}`)
      if (e) return e
      const h = host()
      return typeof h === 'number' ? h : h.renewIp(n, false)
    },
    networking_sntp_server_start(ptr: number, len: number): number {
      const n = name(ptr, len)
      if (typeof n === 'number') return n
      const e = need('SntpService', `start SNTP server on ${n}`)
      if (e) return e
      const h = host()
      return typeof h === 'number' ? h : h.startSntpServer(n)
    },
    networking_dhcp_server_start(ptr: number, len: number, cfg: number): number {
      const n = name(ptr, len)
      if (typeof n === 'number') return n
      if (cfg === 0 || !mem.ok(cfg, 36)) return -Errno.EFAULT
      const e = need('DhcpService', `start DHCP server on ${n}`)
      if (e) return e
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
    networking_set_hardware_address(ptr: number, len: number, addr: number, addrLen: number): number {
      const n = name(ptr, len)
      if (typeof n === 'number') return n
      if (addr === 0 || addrLen < 0 || !mem.ok(addr, addrLen)) return -Errno.EFAULT
      const e = need('HardwareAddressConfig', `set hardware address of ${n}`)
      if (e) return e
      if (addrLen !== 6) return -Errno.EINVAL // ERANGE (> 6) is the C library's
      const mac = mem.read(addr, 6)
      if (mac.every((b) => b === 0) || (mac[0]! & 1) !== 0) return -Errno.EINVAL
      const h = host()
      return typeof h === 'number' ? h : h.setHardwareAddress(n, mac)
    },
    networking_get_hardware_address(ptr: number, len: number, out: number): number {
      const n = name(ptr, len)
      if (typeof n === 'number') return n
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
      const e = need('TimeSyncConfig', enabled ? 'enable time sync' : 'disable time sync')
      if (e) return e
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
      return need('TimeSyncConfig', 'use the default NTP server')
    },
    networking_timesync_enable_automatic_ntp(option: number): number {
      if (option !== 0 && option !== 1) return -Errno.EINVAL
      return need('TimeSyncConfig', 'use NTP servers from DHCP')
    },
    networking_timesync_enable_custom_ntp(primary: number, primaryLen: number): number {
      if (primary === 0 || primaryLen < 0 || !mem.ok(primary, primaryLen)) return -Errno.EFAULT
      return need('TimeSyncConfig', 'use custom NTP servers')
    },
    networking_proxy_get_status(out: number): number {
      if (out === 0 || !mem.ok(out, 4)) return -Errno.EFAULT
      mem.setU32(out, 0)
      return 0
    },
  }
}
