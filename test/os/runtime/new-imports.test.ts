/**
 * The imports sdk/ABI.md and internal.h documented but the runtime lacked (they returned ENOSYS): each runs
 * on a real device with its documented result, and the privileged ones are LSM decisions.
 */
import {describe, expect, test} from '@jest/globals'
import {Device, Errno, OS_VERSION} from '../../../src/os/index.js'
import {CACHE_DIR, appImage, cid, logged, tempDir} from '../helpers.js'

async function run(caps: Parameters<typeof appImage>[3]): Promise<{log: string; dev: Device; cleanup: () => Promise<void>}> {
  const tmp = tempDir()
  const dev = await Device.boot({stateDir: tmp.dir, clock: 'fast-forward', cacheDir: CACHE_DIR})
  await dev.install(await appImage(0x41, 'NewImports', 'new-imports', caps))
  await dev.runFor(100)
  return {
    log: dev.appLog(cid(0x41)),
    dev,
    cleanup: async () => {
      await dev.shutdown()
      tmp.cleanup()
    },
  }
}

describe('the imports the syscall table added', () => {
  test('with NetworkConfig and WifiConfig each returns what sdk/ABI.md documents', async () => {
    const {log, dev, cleanup} = await run({NetworkConfig: true, WifiConfig: true})
    try {
      const r = logged(log)
      const lines = log.split('\n')
      // storage_package_path: the mount point, no NUL; ERANGE when the buffer is too small
      const path = `/mnt/apps/${cid(0x41)}`
      expect(r.pkgpath).toBe(path.length)
      expect(lines).toContain(path)
      expect(r.pkgsmall).toBe(-68)
      // application_is_device_auth_ready: one byte, 1 once networking is ready (it is at boot)
      expect(r.auth).toBe(0)
      expect(r.authbyte).toBe(1)
      // applications_get_memory_info: the app's one 64 KiB page, peak at least that, bad attribute EINVAL
      expect(r.memuser).toBe(64)
      expect(r.mempeak).toBeGreaterThanOrEqual(64)
      expect(r.membad).toBe(-Errno.EINVAL)
      // applications_get_os_version
      expect(r.osver).toBe(OS_VERSION.length)
      expect(lines).toContain(OS_VERSION)
      // the device boots on the network with time sync enabled, so it has synced (NULL outputs are allowed)
      expect(r.ntpinfo).toBe(0)
      // proxy: ENOENT before any apply; the applied setting reads back; status Enabled | Ready
      expect(r.proxybefore).toBe(-Errno.ENOENT)
      expect(r.proxyapply).toBe(0)
      expect(r.proxyget).toBe(0)
      expect(r.proxyport).toBe(8080)
      expect(lines).toContain('proxy.local')
      // the app's apply is the device's proxy configuration: the one the REST API serves (net/proxy)
      expect(dev.network.netConfig.proxy()).toEqual({
        enabled: true,
        address: 'proxy.local',
        port: 8080,
        noProxyAddresses: [],
        authenticationType: 'anonymous',
      })
      expect(r.status).toBe(0)
      expect(r.statusbits).toBe(5)
      // Wi-Fi diagnostics of a new network: not enabled, no certificate depth; an unknown id is ENODEV
      expect(r.wifidiag).toBe(0)
      expect(r.diagenabled).toBe(0)
      expect(r.diagdepth).toBe(-1)
      expect(r.diagunknown).toBe(-Errno.ENODEV)
    } finally {
      await cleanup()
    }
  })

  test('without the capabilities the proxy and Wi-Fi calls are denied and audited, nothing is stored', async () => {
    const {log, dev, cleanup} = await run({})
    try {
      const r = logged(log)
      expect(r.proxyapply).toBe(-Errno.EACCES)
      expect(r.proxybefore).toBe(-Errno.EACCES)
      expect(r.wifidiag).toBe(-Errno.EACCES)
      // the calls every app may make still work
      expect(r.osver).toBe(OS_VERSION.length)
      expect(r.status).toBe(0)
      expect(r.statusbits).toBe(0)
      const denied = dev.auditLog({componentId: cid(0x41), deniedOnly: true}).map((a) => a.object)
      expect(denied.some((o) => o.includes('apply proxy settings'))).toBe(true)
      expect(denied.some((o) => o.includes('read proxy settings'))).toBe(true)
    } finally {
      await cleanup()
    }
  })
})
