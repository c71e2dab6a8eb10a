import {NS_PER_S} from '../../kernel/clock.js'
import {Errno} from '../../kernel/errno.js'
import type {Operation} from '../../lsm/lsm.js'
import type {SysCtx} from '../context.js'
import {syscall, type Syscall, type SyscallGroup, type Impl} from '../syscalls/types.js'
import {systemHost} from './host.js'
import {HOST_LIMITS} from '../sockets.js'
import {AppSocketObject, ERANGE, SysEventObject} from './objects.js'

/**
 * The applibs system imports (sdk/ABI.md): Application_Connect to a (simulated) real-time app, the
 * Application(s) queries, PowerManagement, SysEvent and clock_systohc. The LSM check of each is its table
 * entry's policy.
 */

const dec = new TextDecoder('utf-8', {fatal: true})
const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** SysEvent_Events_Mask: UpdateReadyForInstall | UpdateStarted | NoUpdateAvailable. */
const SYSEVENT_MASK = 0x07
const SYSEVENT_UPDATE_READY = 0x01
/** The documented cap on one deferral: 24 h. */
const MAX_DEFER_MINUTES = 24 * 60

/**
 * The last instant the RTC holds: 2106-02-07T06:28:15Z (an unsigned 32-bit count of seconds since 1970).
 * clock_systohc refuses a system time outside [1970, this] with EINVAL, as Linux's RTC core refuses a time
 * its device cannot keep, so no invalid RTC value is ever stored.
 */
export const RTC_MAX_S = 0xffff_ffff
/** Memory attributes of applications_get_memory_info. */
const MEMORY_TOTAL = 0
const MEMORY_USER = 1
const MEMORY_PEAK_USER = 2

/** The component id of app_connect, or -errno. */
function componentIdArg(c: SysCtx, ptr: number, len: number): [string] | number {
  if (len < 0 || len > 64 || (len > 0 && (ptr === 0 || !c.mem.ok(ptr, len)))) return -Errno.EFAULT
  try {
    return [dec.decode(c.mem.read(ptr, len)).replace(/\0.*$/s, '')]
  } catch {
    return -Errno.EINVAL
  }
}

const enc = new TextEncoder()

function systemImports(c: SysCtx): Record<string, Impl> {
  const {mem, proc, kernel} = c
  const fds = proc.fds
  const world = kernel.world

  return {
    app_connect(id: string): number {
      if (!GUID_RE.test(id)) return -Errno.EINVAL
      const key = id.toLowerCase()
      // With no real-time apps declared in the world, every allowed partner answers as an echo app.
      const partner = world.rtApps.size === 0 ? {componentId: key, behavior: 'echo' as const} : world.rtApps.get(key)
      if (!partner) return -Errno.ECONNREFUSED
      if (partner.allowedApps && !partner.allowedApps.map((a) => a.toLowerCase()).includes(proc.componentId))
        return -Errno.ECONNREFUSED
      const o = new AppSocketObject(
        key,
        (msg) => (partner.behavior === 'echo' ? [msg] : []),
        (x) => kernel.notifyReady(x),
        {
          usage: proc.hostUsage,
          limited: () =>
            c.lsm.deny(
              c.subject,
              {op: 'resource.limit', resource: 'app-queue', limit: HOST_LIMITS.appQueueBytes},
              `the queue from ${key} to the app is full (${HOST_LIMITS.appQueueBytes} bytes): the partner cannot answer`,
              Errno.EAGAIN,
            ),
        },
      )
      world.notePeripheral(`rtApps.${key}.connected`, proc.componentId, 'app')
      return fds.add(o)
    },

    application_is_device_auth_ready(out: number): number {
      // the device certificate comes with the network: ready once networking is
      mem.setU8(out, c.env.net?.isReady() ? 1 : 0)
      return 0
    },
    applications_get_memory_info(attribute: number): number {
      kernel.accountMemory(proc)
      const kib = (b: number): number => Math.ceil(b / 1024)
      if (attribute === MEMORY_TOTAL || attribute === MEMORY_USER) return kib(proc.memoryBytes)
      if (attribute === MEMORY_PEAK_USER) return kib(proc.peakMemoryBytes)
      return -Errno.EINVAL
    },
    applications_get_os_version(buf: number, cap: number): number {
      const v = systemHost(kernel)?.osVersion
      if (v === undefined) return -Errno.ENOSYS
      const b = enc.encode(v)
      if (cap >>> 0 < b.length) return -ERANGE
      if (buf === 0 || !mem.ok(buf, b.length)) return -Errno.EFAULT
      mem.write(buf, b)
      return b.length
    },

    power_restart(): number {
      const host = systemHost(kernel)
      if (!host) return -Errno.ENOSYS
      host.restart(proc.componentId)
      return 0
    },
    power_down(maximumResidencySeconds: number): number {
      const host = systemHost(kernel)
      if (!host) return -Errno.ENOSYS
      if (maximumResidencySeconds >>> 0 === 0) return -Errno.EINVAL
      host.powerDown(proc.componentId, maximumResidencySeconds >>> 0)
      return 0
    },
    power_set_profile(profile: number): number {
      if (profile >>> 0 > 2) return -Errno.EINVAL
      world.powerProfile = profile >>> 0
      world.notePeripheral('power.profile', world.powerProfile, 'app')
      return 0
    },

    sysevent_open(mask: number): number {
      if (mask >>> 0 === 0 || (mask >>> 0) & ~SYSEVENT_MASK) return -Errno.EINVAL
      const host = systemHost(kernel)
      if (!host) return -Errno.ENOSYS
      const ref: {obj?: SysEventObject} = {}
      const sub = host.subscribeEvents(proc.componentId, mask >>> 0, () => {
        if (ref.obj) kernel.notifyReady(ref.obj)
      })
      const obj = new SysEventObject(sub, mask >>> 0)
      ref.obj = obj
      const fd = fds.add(obj)
      if (fd < 0) sub.close()
      return fd
    },
    sysevent_read(fd: number, out: number): number {
      const o = fds.get(fd)
      if (!o) return -Errno.EBADF
      if (!(o instanceof SysEventObject)) return -Errno.EBADF
      if (out === 0 || !mem.ok(out, 16)) return -Errno.EFAULT
      const e = o.take()
      if (!e) return -Errno.EAGAIN
      mem.setU32(out, e.event)
      mem.setU32(out + 4, e.status)
      mem.setU32(out + 8, e.maxDeferralMinutes)
      mem.setU32(out + 12, e.updateType)
      return 0
    },
    sysevent_defer(event: number, minutes: number): number {
      if (event !== SYSEVENT_UPDATE_READY) return -Errno.EINVAL
      const host = systemHost(kernel)
      if (!host) return -Errno.ENOSYS
      return host.deferEvent(proc.componentId, event, Math.min(MAX_DEFER_MINUTES, minutes >>> 0))
    },
    sysevent_resume(event: number): number {
      if (event !== SYSEVENT_UPDATE_READY) return -Errno.EINVAL
      const host = systemHost(kernel)
      if (!host) return -Errno.ENOSYS
      return host.resumeEvent(proc.componentId, event)
    },

    rtc_systohc(): number {
      const ns = kernel.clock.realtimeAt(kernel.now())
      if (!Number.isFinite(ns) || ns < 0 || ns / NS_PER_S > RTC_MAX_S) return -Errno.EINVAL
      world.rtcNs = ns
      world.notePeripheral('rtc', new Date(world.rtcNs / 1e6).toISOString(), 'app')
      return 0
    },
  }
}

const A = 'applibs'
const sys = (name: string, params: string, o: Omit<Syscall, 'module' | 'name' | 'params' | 'ret'>): Syscall => syscall(A, name, params, o)
const power = (action: string) => (): Operation => ({op: 'power.control', action})
const capability = (capability: string, action: string) => (): Operation => ({op: 'capability', capability, action})

export const systemGroup: SyscallGroup = {
  source: 'src/os/runtime/applibs/system.ts',
  bind: systemImports,
  entries: [
    sys('app_connect', 'const char *componentId, uint32_t len', {returns: 'fd', decode: componentIdArg,
      policy: (_c, componentId: string) => ({op: 'app.connect', componentId}),
      doc: '`Application_Connect` (LSM: AllowedApplicationConnections)'}),
    sys('application_is_device_auth_ready', 'uint8_t *out', {returns: '0', mem: ['out[1]!'], policy: {none: 'reads device state every app may see'},
      doc: '`Application_IsDeviceAuthReady`: writes one byte (0/1), 1 once networking is ready'}),
    sys('applications_get_memory_info', 'uint32_t attribute', {returns: 'KiB', policy: {none: 'the caller\'s own memory'},
      doc: 'attribute 0 total, 1 user mode, 2 peak user mode (the app\'s linear memory, KiB)'}),
    sys('applications_get_os_version', 'char *buf, uint32_t cap', {returns: 'len', policy: {none: 'the OS version every app may read'},
      doc: '`Applications_GetOsVersion`: OS version text, no NUL; ERANGE when `cap` is too small'}),
    sys('power_restart', '', {returns: '0', policy: power('ForceReboot'),
      doc: '`PowerManagement_ForceSystemReboot` (LSM: PowerControls ForceReboot)'}),
    sys('power_down', 'uint32_t maximumResidencySeconds', {returns: '0', policy: power('ForcePowerDown'),
      doc: '`PowerManagement_ForceSystemPowerDown` (LSM: PowerControls ForcePowerDown)'}),
    sys('power_set_profile', 'uint32_t profile', {returns: '0', policy: power('SetPowerProfile'),
      doc: '0 PowerSaver, 1 Balanced, 2 HighPerformance (LSM: PowerControls SetPowerProfile)'}),
    sys('sysevent_open', 'uint32_t eventMask', {returns: 'fd', policy: capability('SystemEventNotifications', 'sysevent.register'),
      doc: 'readable while an event is pending (LSM: SystemEventNotifications)'}),
    sys('sysevent_read', 'int32_t fd, void *out', {returns: '0', policy: {none: 'reads an event fd the process holds'},
      doc: 'one event: `{u32 event; u32 status; u32 maxDeferralMinutes; u32 updateType}`'}),
    sys('sysevent_defer', 'uint32_t event, uint32_t minutes', {returns: '0', policy: capability('SoftwareUpdateDeferral', 'sysevent.defer'),
      doc: 'LSM: SoftwareUpdateDeferral'}),
    sys('sysevent_resume', 'uint32_t event', {returns: '0', policy: capability('SoftwareUpdateDeferral', 'sysevent.resume'),
      doc: 'LSM: SoftwareUpdateDeferral'}),
    sys('rtc_systohc', '', {returns: '0', policy: () => ({op: 'time.set'}),
      doc: '`clock_systohc` (LSM: SystemTime); EINVAL when the system time is outside what the RTC holds (1970 to 2106-02-07)'}),
  ],
}
