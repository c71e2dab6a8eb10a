/**
 * The WifiConfig_* view of the device's Wi-Fi configuration for one app: networks added with
 * WifiConfig_AddNetwork stay in the app's memory (disabled) until WifiConfig_PersistConfig stores the
 * complete ones in the shared WifiConfig (the same store the REST API serves).
 *
 * The networks an app sees, stored and unsaved together, are bounded by what the device can store
 * (MAX_WIFI_NETWORKS): beyond that WifiConfig_AddNetwork fails with ENOMEM, as the real call documents
 * ("not enough memory to add a new network"), and PersistConfig with ENOSPC. So every call costs at most
 * a walk over that many networks, whatever the app does.
 */
import {Errno} from '../kernel/errno.js'
import type {WifiAccess, WifiNetworkRecord, WifiScanRecord} from '../runtime/applibs/host.js'
import {SphereError} from '../../util/errors.js'
import {MAX_WIFI_NETWORKS, type WifiConfig} from './wifi.js'

const ENOTCONN = 53

interface Pending extends WifiNetworkRecord {
  psk?: string
}

export function wifiAccess(store: WifiConfig): WifiAccess {
  const pending = new Map<number, Pending>()
  const stored = (): WifiNetworkRecord[] =>
    store.list().map((v) => ({
      id: v.id,
      ssid: v.ssid,
      securityState: v.securityState,
      enabled: v.configState === 'enabled',
      targetedScan: v.targetedScan,
      configName: v.configName,
      clientCertStoreIdentifier: v.clientCertStoreIdentifier,
    }))
  const all = (): WifiNetworkRecord[] => [...stored(), ...[...pending.values()].map((p) => ({...p, psk: undefined}))]
  const errno = (e: unknown): number => {
    if (!(e instanceof SphereError)) throw e
    if (e.code === 'WIFI_NETWORK_NOT_FOUND') return -Errno.ENODEV
    if (e.code === 'WIFI_FULL') return -Errno.ENOSPC
    if (e.code === 'WIFI_NETWORK_EXISTS') return -Errno.EEXIST
    return -Errno.EINVAL
  }
  return {
    networks: () => all().sort((a, b) => a.id - b.id),
    addNetwork(): number {
      const stored = store.list()
      if (stored.length + pending.size >= MAX_WIFI_NETWORKS) return -Errno.ENOMEM
      const used = new Set<number>(pending.keys())
      for (const n of stored) used.add(n.id)
      let id = 0
      while (used.has(id)) id++
      pending.set(id, {id, ssid: '', securityState: 'open', enabled: false, targetedScan: false})
      return id
    },
    update(id, patch): number {
      const p = pending.get(id)
      if (p) {
        Object.assign(p, patch)
        return 0
      }
      if (!store.get(id)) return -Errno.ENODEV
      const keys = Object.keys(patch)
      if (keys.some((k) => k !== 'enabled' && k !== 'psk')) return -Errno.ENOTSUP // stored networks: state and PSK only
      try {
        store.update(id, {
          ...(patch.enabled !== undefined ? {configState: patch.enabled ? 'enabled' : 'disabled'} : {}),
          ...(patch.psk !== undefined ? {psk: patch.psk} : {}),
        })
        return 0
      } catch (e) {
        return errno(e)
      }
    },
    forget(id): number {
      if (pending.delete(id)) return 0
      return store.remove(id) ? 0 : -Errno.ENODEV
    },
    forgetAll(): number {
      pending.clear()
      for (const n of store.list()) store.remove(n.id)
      return 0
    },
    persist(): number {
      for (const [id, p] of [...pending]) {
        if (p.ssid === '' || (p.securityState === 'psk' && !p.psk)) continue
        try {
          store.add({
            ssid: p.ssid,
            securityState: p.securityState,
            configState: p.enabled ? 'enabled' : 'disabled',
            psk: p.psk,
            configName: p.configName,
            targetScan: p.targetedScan,
            clientIdentity: p.clientIdentity,
            clientCertStoreIdentifier: p.clientCertStoreIdentifier,
            rootCaCertStoreIdentifier: p.rootCaCertStoreIdentifier,
          })
          pending.delete(id)
        } catch (e) {
          return errno(e)
        }
      }
      return 0
    },
    reload(): number {
      pending.clear()
      return 0
    },
    scan(): WifiScanRecord[] {
      return store.scan().map((a) => ({
        ssid: a.ssid,
        bssid: a.bssid,
        freq: a.freq,
        signal: a.signal_level,
        securityState: a.securityState,
      }))
    },
    connectedId(): number {
      return -ENOTCONN
    },
  }
}
