import {Errno} from '../../kernel/errno.js'
import {SphereError} from '../../../util/errors.js'
import type {SysCtx} from '../context.js'
import type {Operation} from '../../lsm/lsm.js'
import {syscall, type Impl, type Syscall, type SyscallGroup} from '../syscalls/types.js'
import {systemHost, type WifiAccess, type WifiNetworkRecord} from './host.js'
import {ERANGE} from './objects.js'

/**
 * The applibs CertStore_* and WifiConfig_* imports (sdk/ABI.md) over the device's certificate store and
 * Wi-Fi configuration (the same data the REST API serves). Every call needs the manifest's
 * `"CertStore": true` / `"WifiConfig": true` (EACCES otherwise, audited): every entry's policy.
 */

const dec = new TextDecoder('utf-8', {fatal: true})
const enc = new TextEncoder()
const STRUCT_TM_BYTES = 44
const DIAGNOSTICS_BYTES = 328
const SECURITY_CODES: Record<string, number> = {open: 1, psk: 2, eaptls: 3}
const SECURITY_NAMES = ['', 'open', 'psk', 'eaptls']

function configImports(c: SysCtx): Record<string, Impl> {
  const {mem, proc, kernel} = c

  const str = (ptr: number, len: number, max: number): string | number => {
    if (len < 0 || len > max) return -ERANGE
    if (len > 0 && (ptr === 0 || !mem.ok(ptr, len))) return -Errno.EFAULT
    try {
      return dec.decode(mem.read(ptr, len)).replace(/\0.*$/s, '')
    } catch {
      return -Errno.EINVAL
    }
  }
  const copyOut = (s: string, out: number, cap: number): number => {
    const b = enc.encode(s).subarray(0, Math.max(0, cap))
    if (b.length > 0 && (out === 0 || !mem.ok(out, b.length))) return -Errno.EFAULT
    mem.write(out, b)
    return b.length
  }

  /** The store (the entry's policy already checked CertStore); a number is -errno. */
  const certs = () => systemHost(kernel)?.certs ?? -Errno.ENOSYS
  /** The app's Wi-Fi view (the entry's policy already checked WifiConfig); a number is -errno. */
  const wifi = (): WifiAccess | number => systemHost(kernel)?.wifi?.(proc.componentId) ?? -Errno.ENOSYS
  const certErrno = (e: unknown): number => {
    if (!(e instanceof SphereError)) throw e
    return e.code === 'CERT_STORE_FULL' ? -Errno.ENOSPC : e.code === 'CERT_NOT_FOUND' ? -Errno.ENOENT : -Errno.EINVAL
  }
  const network = (w: WifiAccess, id: number): WifiNetworkRecord | number =>
    w.networks().find((n) => n.id === id) ?? -Errno.ENODEV
  /** Set one attribute of a network after the usual checks. */
  const setNet = (id: number, patch: Parameters<WifiAccess['update']>[1]): number => {
    const w = wifi()
    if (typeof w === 'number') return w
    const n = network(w, id)
    if (typeof n === 'number') return n
    return w.update(id, patch)
  }
  const getNetString = (
    id: number,
    key: 'clientIdentity' | 'clientCertStoreIdentifier' | 'rootCaCertStoreIdentifier',
    out: number,
    cap: number,
  ): number => {
    const w = wifi()
    if (typeof w === 'number') return w
    const n = network(w, id)
    if (typeof n === 'number') return n
    return copyOut(n[key] ?? '', out, cap)
  }
  const setNetString = (
    id: number,
    key: 'clientIdentity' | 'clientCertStoreIdentifier' | 'rootCaCertStoreIdentifier' | 'configName',
    ptr: number,
    len: number,
    max: number,
  ): number => {
    const s = str(ptr, len, max)
    if (typeof s === 'number') return s
    return setNet(id, {[key]: s})
  }
  /** ScannedNetwork / ConnectedNetwork v1 (52 bytes); the C library stamps the magic. */
  const writeScanned = (
    at: number,
    n: {ssid: string; bssid: string; freq: number; signal: number; securityState: string},
  ): void => {
    const b = mem.bytes()
    const p = at >>> 0
    b.fill(0, p, p + 52)
    const ssid = enc.encode(n.ssid).subarray(0, 32)
    b.set(ssid, p + 4)
    n.bssid.split(':').forEach((h, i) => (b[p + 36 + i] = parseInt(h, 16) & 0xff))
    b[p + 42] = ssid.length
    b[p + 43] = SECURITY_CODES[n.securityState] ?? 0
    mem.setU32(p + 44, n.freq)
    b[p + 48] = n.signal & 0xff
  }

  return {
    // ---- certificate store ----------------------------------------------------------------------------------
    certstore_install_client_certificate(
      id: number,
      idLen: number,
      cert: number,
      certLen: number,
      key: number,
      keyLen: number,
      pw: number,
      pwLen: number,
    ): number {
      const s = certs()
      if (typeof s === 'number') return s
      const i = str(id, idLen, 16)
      const pem = str(cert, certLen, 8192)
      const k = str(key, keyLen, 8192)
      const p = str(pw, pwLen, 256)
      for (const v of [i, pem, k, p]) if (typeof v === 'number') return v
      try {
        s.add(i as string, {certType: 'client', publicCert: pem, privateKey: k, password: p})
        return 0
      } catch (e) {
        return certErrno(e)
      }
    },
    certstore_install_root_ca_certificate(id: number, idLen: number, cert: number, certLen: number): number {
      const s = certs()
      if (typeof s === 'number') return s
      const i = str(id, idLen, 16)
      const pem = str(cert, certLen, 8192)
      if (typeof i === 'number') return i
      if (typeof pem === 'number') return pem
      try {
        s.add(i, {certType: 'rootca', publicCert: pem})
        return 0
      } catch (e) {
        return certErrno(e)
      }
    },
    certstore_delete_certificate(id: number, idLen: number): number {
      const s = certs()
      if (typeof s === 'number') return s
      const i = str(id, idLen, 16)
      if (typeof i === 'number') return i
      return s.remove(i) ? 0 : -Errno.ENOENT
    },
    certstore_get_certificate_count(): number {
      const s = certs()
      return typeof s === 'number' ? s : s.list().length
    },
    certstore_get_certificate_identifier_at(index: number, out: number, cap: number): number {
      const s = certs()
      if (typeof s === 'number') return s
      const id = s.list()[index >>> 0]
      if (id === undefined) return -ERANGE
      return copyOut(id, out, cap >>> 0)
    },
    certstore_get_available_space(): number {
      const s = certs()
      return typeof s === 'number' ? s : s.availableSpace()
    },
    certstore_get_certificate_info(id: number, idLen: number, field: number, out: number, size: number): number {
      const s = certs()
      if (typeof s === 'number') return s
      const i = str(id, idLen, 16)
      if (typeof i === 'number') return i
      const info = s.get(i)
      if (!info) return -Errno.ENOENT
      if (size > 0 && (out === 0 || !mem.ok(out, size))) return -Errno.EFAULT
      if (field === 1 || field === 2) {
        if (size >>> 0 < STRUCT_TM_BYTES) return -Errno.EINVAL
        const d = new Date(`${field === 1 ? info.notBefore : info.notAfter}Z`)
        const start = Date.UTC(d.getUTCFullYear(), 0, 1)
        const fields = [
          d.getUTCSeconds(),
          d.getUTCMinutes(),
          d.getUTCHours(),
          d.getUTCDate(),
          d.getUTCMonth(),
          d.getUTCFullYear() - 1900,
          d.getUTCDay(),
          Math.floor((d.getTime() - start) / 86_400_000),
          0,
          0,
          0,
        ]
        fields.forEach((v, k) => mem.view().setInt32((out >>> 0) + k * 4, v, true))
        return 0
      }
      if (field === 3 || field === 4) {
        if (size >>> 0 === 0) return -Errno.EINVAL
        const n = copyOut(field === 3 ? info.subjectName : info.issuerName, out, (size >>> 0) - 1)
        if (n < 0) return n
        mem.setU8(out + n, 0)
        return 0
      }
      return -Errno.EINVAL
    },
    certstore_move_certificate(oldId: number, oldLen: number, newId: number, newLen: number): number {
      const s = certs()
      if (typeof s === 'number') return s
      const a = str(oldId, oldLen, 16)
      const b = str(newId, newLen, 16)
      if (typeof a === 'number') return a
      if (typeof b === 'number') return b
      if (!s.move) return -Errno.ENOSYS
      try {
        return s.move(a, b) ? 0 : -Errno.ENOENT
      } catch (e) {
        return certErrno(e)
      }
    },

    // ---- Wi-Fi configuration --------------------------------------------------------------------------------
    wificonfig_get_stored_network_count(): number {
      const w = wifi()
      return typeof w === 'number' ? w : w.networks().length
    },
    wificonfig_get_stored_networks(out: number, count: number): number {
      const w = wifi()
      if (typeof w === 'number') return w
      const list = w.networks().slice(0, count >>> 0)
      if (list.length > 0 && !mem.ok(out, list.length * 40)) return -Errno.EFAULT
      const b = mem.bytes()
      list.forEach((n, i) => {
        const p = (out >>> 0) + i * 40
        b.fill(0, p, p + 40)
        const ssid = enc.encode(n.ssid).subarray(0, 32)
        b.set(ssid, p + 4)
        b[p + 36] = ssid.length
        b[p + 37] = n.enabled ? 1 : 0
        b[p + 38] = w.connectedId() === n.id ? 1 : 0
        b[p + 39] = SECURITY_CODES[n.securityState] ?? 0
      })
      return list.length
    },
    wificonfig_get_current_network(): number {
      const w = wifi()
      if (typeof w === 'number') return w
      return -Errno.ENODATA // not connected to a network (the simulated radio never associates)
    },
    wificonfig_get_connected_network_id(): number {
      const w = wifi()
      return typeof w === 'number' ? w : w.connectedId()
    },
    wificonfig_trigger_scan(): number {
      const w = wifi()
      return typeof w === 'number' ? w : w.scan().length
    },
    wificonfig_get_scanned_networks(out: number, count: number): number {
      const w = wifi()
      if (typeof w === 'number') return w
      const list = w.scan().slice(0, count >>> 0)
      if (list.length > 0 && !mem.ok(out, list.length * 52)) return -Errno.EFAULT
      list.forEach((n, i) => writeScanned(out + i * 52, n))
      return list.length
    },
    wificonfig_add_network(): number {
      const w = wifi()
      return typeof w === 'number' ? w : w.addNetwork()
    },
    wificonfig_add_duplicate_network(id: number, name: number, len: number): number {
      const w = wifi()
      if (typeof w === 'number') return w
      const src = network(w, id)
      if (typeof src === 'number') return src
      const cfg = str(name, len, 16)
      if (typeof cfg === 'number') return cfg
      if (w.networks().some((n) => n.configName === cfg)) return -Errno.EEXIST
      const nid = w.addNetwork()
      if (nid < 0) return nid
      const {id: _id, ...rest} = src
      void _id
      const r = w.update(nid, {...rest, configName: cfg})
      return r < 0 ? r : nid
    },
    wificonfig_set_ssid(id: number, ssid: number, len: number): number {
      if (len <= 0 || len > 32) return -ERANGE
      const s = str(ssid, len, 32)
      if (typeof s === 'number') return s
      return setNet(id, {ssid: s})
    },
    wificonfig_set_security_type(id: number, type: number): number {
      const name = SECURITY_NAMES[type]
      if (!name) return -Errno.EINVAL
      return setNet(id, {securityState: name})
    },
    wificonfig_set_psk(id: number, psk: number, len: number): number {
      if (len < 8 || len > 64) return -ERANGE
      const s = str(psk, len, 64)
      if (typeof s === 'number') return s
      return setNet(id, {psk: s})
    },
    wificonfig_set_network_enabled(id: number, enabled: number): number {
      return setNet(id, {enabled: enabled !== 0})
    },
    wificonfig_set_targeted_scan_enabled(id: number, enabled: number): number {
      return setNet(id, {targetedScan: enabled !== 0})
    },
    wificonfig_set_config_name(id: number, name: number, len: number): number {
      return setNetString(id, 'configName', name, len, 16)
    },
    wificonfig_get_network_id_by_config_name(name: number, len: number): number {
      const w = wifi()
      if (typeof w === 'number') return w
      const cfg = str(name, len, 16)
      if (typeof cfg === 'number') return cfg
      return w.networks().find((n) => n.configName === cfg)?.id ?? -Errno.ENODEV
    },
    wificonfig_set_client_identity(id: number, s: number, len: number): number {
      return setNetString(id, 'clientIdentity', s, len, 254)
    },
    wificonfig_get_client_identity(id: number, out: number, cap: number): number {
      return getNetString(id, 'clientIdentity', out, cap)
    },
    wificonfig_set_client_cert_store_identifier(id: number, s: number, len: number): number {
      return setNetString(id, 'clientCertStoreIdentifier', s, len, 16)
    },
    wificonfig_get_client_cert_store_identifier(id: number, out: number, cap: number): number {
      return getNetString(id, 'clientCertStoreIdentifier', out, cap)
    },
    wificonfig_set_root_ca_cert_store_identifier(id: number, s: number, len: number): number {
      return setNetString(id, 'rootCaCertStoreIdentifier', s, len, 16)
    },
    wificonfig_get_root_ca_cert_store_identifier(id: number, out: number, cap: number): number {
      return getNetString(id, 'rootCaCertStoreIdentifier', out, cap)
    },
    wificonfig_forget_network_by_id(id: number): number {
      const w = wifi()
      return typeof w === 'number' ? w : w.forget(id)
    },
    wificonfig_forget_all_networks(): number {
      const w = wifi()
      return typeof w === 'number' ? w : w.forgetAll()
    },
    wificonfig_persist_config(): number {
      const w = wifi()
      return typeof w === 'number' ? w : w.persist()
    },
    wificonfig_reload_config(): number {
      const w = wifi()
      return typeof w === 'number' ? w : w.reload()
    },
    wificonfig_set_power_savings_enabled(): number {
      const w = wifi()
      return typeof w === 'number' ? w : 0
    },
    wificonfig_get_network_diagnostics(id: number, out: number): number {
      const w = wifi()
      if (typeof w === 'number') return w
      const n = network(w, id)
      if (typeof n === 'number') return n
      // WifiConfig_NetworkDiagnostics (wasm32): u8 isEnabled, u8 isConnected, i32 error @4, time_t timestamp @8,
      // i32 certError @16, i32 certDepth @20, CertStore_SubjectName certSubject @24 (301 B), 328 B in all
      mem.bytes().fill(0, out >>> 0, (out >>> 0) + DIAGNOSTICS_BYTES)
      mem.setU8(out, n.enabled ? 1 : 0)
      mem.setU8(out + 1, w.connectedId() === n.id ? 1 : 0)
      mem.view().setInt32((out >>> 0) + 20, -1, true) // no certificate was verified
      return 0
    },
  }
}

const A = 'applibs'
const certStore = (): Operation => ({op: 'capability', capability: 'CertStore', action: 'certstore'})
const wifiConfig = (): Operation => ({op: 'capability', capability: 'WifiConfig', action: 'wificonfig'})
const entry = (name: string, params: string, o: Omit<Syscall, 'module' | 'name' | 'params' | 'ret'>): Syscall => syscall(A, name, params, o)

export const configGroup: SyscallGroup = {
  source: 'src/os/runtime/applibs/config.ts',
  bind: configImports,
  entries: [
    entry('certstore_install_client_certificate', 'const char *id, uint32_t idLen, const char *cert, uint32_t certLen, const char *key, uint32_t keyLen, const char *password, uint32_t passwordLen', {policy: certStore, heavy: 'certificate bytes parsed', doc: '`CertStore_InstallClientCertificate`; LSM: CertStore'}),
    entry('certstore_install_root_ca_certificate', 'const char *id, uint32_t idLen, const char *cert, uint32_t certLen', {policy: certStore, heavy: 'certificate bytes parsed', doc: '`CertStore_InstallRootCACertificate`; LSM: CertStore'}),
    entry('certstore_delete_certificate', 'const char *id, uint32_t idLen', {policy: certStore, doc: '`CertStore_DeleteCertificate`; LSM: CertStore'}),
    entry('certstore_get_certificate_count', '', {policy: certStore, doc: '`CertStore_GetCertificateCount`; LSM: CertStore'}),
    entry('certstore_get_certificate_identifier_at', 'uint32_t index, char *out, uint32_t cap', {policy: certStore, doc: '`CertStore_GetCertificateIdentifierAt` -> len; LSM: CertStore'}),
    entry('certstore_get_available_space', '', {policy: certStore, doc: '`CertStore_GetAvailableSpace` (bytes); LSM: CertStore'}),
    entry('certstore_get_certificate_info', 'const char *id, uint32_t idLen, uint32_t field, void *out, uint32_t size', {policy: certStore, doc: 'field 1 NotBefore and 2 NotAfter write a wasm32 `struct tm`, 3 SubjectName and 4 IssuerName a NUL-terminated string; LSM: CertStore'}),
    entry('certstore_move_certificate', 'const char *oldId, uint32_t oldLen, const char *newId, uint32_t newLen', {policy: certStore, doc: '`CertStore_MoveCertificate`; LSM: CertStore'}),
    entry('wificonfig_get_stored_network_count', '', {policy: wifiConfig, heavy: 'networks counted', doc: 'LSM: WifiConfig'}),
    entry('wificonfig_get_stored_networks', 'void *out, uint32_t count', {policy: wifiConfig, heavy: 'networks listed', doc: '40-byte StoredNetwork v1 records; LSM: WifiConfig'}),
    entry('wificonfig_get_current_network', 'void *out', {policy: wifiConfig, doc: '52-byte ConnectedNetwork v1; ENODATA (189, the SDK\'s errno.h number): not connected (the simulated radio never associates); LSM: WifiConfig'}),
    entry('wificonfig_get_connected_network_id', '', {policy: wifiConfig, doc: 'LSM: WifiConfig'}),
    entry('wificonfig_trigger_scan', '', {policy: wifiConfig, doc: '-> count (blocking); LSM: WifiConfig'}),
    entry('wificonfig_get_scanned_networks', 'void *out, uint32_t count', {policy: wifiConfig, heavy: 'networks listed', doc: '52-byte ScannedNetwork v1; LSM: WifiConfig'}),
    entry('wificonfig_add_network', '', {policy: wifiConfig, doc: '-> id; LSM: WifiConfig'}),
    entry('wificonfig_add_duplicate_network', 'int32_t id, const char *name, uint32_t len', {policy: wifiConfig, doc: '-> id; LSM: WifiConfig'}),
    entry('wificonfig_set_ssid', 'int32_t id, const uint8_t *ssid, uint32_t len', {policy: wifiConfig, doc: 'LSM: WifiConfig'}),
    entry('wificonfig_set_security_type', 'int32_t id, int32_t type', {policy: wifiConfig, doc: 'LSM: WifiConfig'}),
    entry('wificonfig_set_psk', 'int32_t id, const char *psk, uint32_t len', {policy: wifiConfig, doc: 'LSM: WifiConfig'}),
    entry('wificonfig_set_network_enabled', 'int32_t id, int32_t enabled', {policy: wifiConfig, doc: 'LSM: WifiConfig'}),
    entry('wificonfig_set_targeted_scan_enabled', 'int32_t id, int32_t enabled', {policy: wifiConfig, doc: 'LSM: WifiConfig'}),
    entry('wificonfig_set_config_name', 'int32_t id, const char *name, uint32_t len', {policy: wifiConfig, doc: 'LSM: WifiConfig'}),
    entry('wificonfig_get_network_id_by_config_name', 'const char *name, uint32_t len', {policy: wifiConfig, heavy: 'networks searched', doc: '-> id; LSM: WifiConfig'}),
    entry('wificonfig_set_client_identity', 'int32_t id, const char *identity, uint32_t len', {policy: wifiConfig, doc: 'LSM: WifiConfig'}),
    entry('wificonfig_get_client_identity', 'int32_t id, char *out, uint32_t cap', {policy: wifiConfig, doc: '-> len; LSM: WifiConfig'}),
    entry('wificonfig_set_client_cert_store_identifier', 'int32_t id, const char *certId, uint32_t len', {policy: wifiConfig, doc: 'LSM: WifiConfig'}),
    entry('wificonfig_get_client_cert_store_identifier', 'int32_t id, char *out, uint32_t cap', {policy: wifiConfig, doc: '-> len; LSM: WifiConfig'}),
    entry('wificonfig_set_root_ca_cert_store_identifier', 'int32_t id, const char *certId, uint32_t len', {policy: wifiConfig, doc: 'LSM: WifiConfig'}),
    entry('wificonfig_get_root_ca_cert_store_identifier', 'int32_t id, char *out, uint32_t cap', {policy: wifiConfig, doc: '-> len; LSM: WifiConfig'}),
    entry('wificonfig_forget_network_by_id', 'int32_t id', {policy: wifiConfig, doc: 'LSM: WifiConfig'}),
    entry('wificonfig_forget_all_networks', '', {policy: wifiConfig, doc: 'LSM: WifiConfig'}),
    entry('wificonfig_persist_config', '', {policy: wifiConfig, doc: 'LSM: WifiConfig'}),
    entry('wificonfig_reload_config', '', {policy: wifiConfig, doc: 'LSM: WifiConfig'}),
    entry('wificonfig_set_power_savings_enabled', 'int32_t enabled', {policy: wifiConfig, doc: 'LSM: WifiConfig'}),
    entry('wificonfig_get_network_diagnostics', 'int32_t id, void *out', {policy: wifiConfig, mem: ['out[328]!'], doc: '`WifiConfig_NetworkDiagnostics` (328 B: u8 isEnabled, u8 isConnected, i32 error @4, i64 timestamp @8, i32 certError @16, i32 certDepth @20, subject @24); LSM: WifiConfig'}),
  ],
}
