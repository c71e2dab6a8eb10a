import {Errno} from '../../kernel/errno.js'
import type {SysCtx} from '../context.js'
import {systemHost} from './host.js'
import {AppSocketObject, SysEventObject} from './objects.js'

/**
 * The applibs system imports (sdk/ABI.md): Application_Connect to a (simulated) real-time app,
 * PowerManagement, SysEvent and clock_systohc. Every call runs the LSM check first.
 */
type Fn = (...a: never[]) => number

const dec = new TextDecoder('utf-8', {fatal: true})
const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** SysEvent_Events_Mask: UpdateReadyForInstall | UpdateStarted | NoUpdateAvailable. */
const SYSEVENT_MASK = 0x07
const SYSEVENT_UPDATE_READY = 0x01
/** The documented cap on one deferral: 24 h. */
const MAX_DEFER_MINUTES = 24 * 60

export function systemImports(c: SysCtx): Record<string, Fn> {
  const {mem, proc, kernel, lsm} = c
  const fds = proc.fds
  const world = kernel.world

  const text = (ptr: number, len: number, max: number): string | number => {
    if (len < 0 || len > max || (len > 0 && (ptr === 0 || !mem.ok(ptr, len)))) return -Errno.EFAULT
    try {
      return dec.decode(mem.read(ptr, len)).replace(/\0.*$/s, '')
    } catch {
      return -Errno.EINVAL
    }
  }

  const capability = (cap: string, action: string): number => {
    const d = lsm.check(c.subject, {op: 'capability', capability: cap, action})
    return d.allowed ? 0 : -d.errno
  }

  return {
    app_connect(cid: number, len: number): number {
      const id = text(cid, len, 64)
      if (typeof id === 'number') return id
      const d = lsm.check(c.subject, {op: 'app.connect', componentId: id})
      if (!d.allowed) return -d.errno
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
      )
      world.notePeripheral(`rtApps.${key}.connected`, proc.componentId, 'app')
      return fds.add(o)
    },

    power_restart(): number {
      const d = lsm.check(c.subject, {op: 'power.control', action: 'ForceReboot'})
      if (!d.allowed) return -d.errno
      const host = systemHost(kernel)
      if (!host) return -Errno.ENOSYS
      host.restart(proc.componentId)
      return 0
    },
    power_down(maximumResidencySeconds: number): number {
      const d = lsm.check(c.subject, {op: 'power.control', action: 'ForcePowerDown'})
      if (!d.allowed) return -d.errno
      const host = systemHost(kernel)
      if (!host) return -Errno.ENOSYS
      if (maximumResidencySeconds >>> 0 === 0) return -Errno.EINVAL
      host.powerDown(proc.componentId, maximumResidencySeconds >>> 0)
      return 0
    },
    power_set_profile(profile: number): number {
      const d = lsm.check(c.subject, {op: 'power.control', action: 'SetPowerProfile'})
      if (!d.allowed) return -d.errno
      if (profile >>> 0 > 2) return -Errno.EINVAL
      world.powerProfile = profile >>> 0
      world.notePeripheral('power.profile', world.powerProfile, 'app')
      return 0
    },

    sysevent_open(mask: number): number {
      const r = capability('SystemEventNotifications', 'sysevent.register')
      if (r < 0) return r
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
      const r = capability('SoftwareUpdateDeferral', 'sysevent.defer')
      if (r < 0) return r
      if (event !== SYSEVENT_UPDATE_READY) return -Errno.EINVAL
      const host = systemHost(kernel)
      if (!host) return -Errno.ENOSYS
      return host.deferEvent(proc.componentId, event, Math.min(MAX_DEFER_MINUTES, minutes >>> 0))
    },
    sysevent_resume(event: number): number {
      const r = capability('SoftwareUpdateDeferral', 'sysevent.resume')
      if (r < 0) return r
      if (event !== SYSEVENT_UPDATE_READY) return -Errno.EINVAL
      const host = systemHost(kernel)
      if (!host) return -Errno.ENOSYS
      return host.resumeEvent(proc.componentId, event)
    },

    rtc_systohc(): number {
      const d = lsm.check(c.subject, {op: 'time.set'})
      if (!d.allowed) return -d.errno
      world.rtcNs = kernel.clock.realtimeAt(kernel.now())
      world.notePeripheral('rtc', new Date(world.rtcNs / 1e6).toISOString(), 'app')
      return 0
    },
  }
}
