/**
 * The simulator's TLS identity: a per-device CA (EC P-256, self-signed, kept in the state dir) and a
 * server leaf certificate with SAN `DNS:*.devices.sphere.azure.local` plus the listen IPs, as device API
 * clients require (see device-rest-api reference §1). The certificates are built by src/util/x509.ts.
 */
import {createHash, createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {isIP} from 'node:net'
import {join} from 'node:path'
import {writeFileAtomic} from '../../util/atomic-file.js'
import {SphereError} from '../../util/errors.js'
import {buildCertificate, type DistinguishedName} from '../../util/x509.js'

export {buildCertificate, toPem, type CertificateSpec, type DistinguishedName} from '../../util/x509.js'
// ---------------------------------------------------------------------------------------------------
// The device's CA and server certificate, kept in <stateDir>/tls/.

/** The wildcard name device API clients check the server certificate against. */
export const DEVICE_API_DNS_NAME = '*.devices.sphere.azure.local'

export interface DeviceCa {
  certPem: string
  keyPem: string
  key: KeyObject
  cert: X509Certificate
}

export interface ServerTls {
  /** Leaf private key (PEM). */
  key: string
  /** Leaf certificate followed by the CA certificate (PEM chain). */
  cert: string
  /** The CA certificate clients trust (PEM). */
  ca: string
}

const tlsDir = (stateDir: string) => join(stateDir, 'tls')

function generateEcKey(): {privateKey: KeyObject; publicKey: KeyObject} {
  return generateKeyPairSync('ec', {namedCurve: 'P-256'})
}

function loadCa(stateDir: string): DeviceCa | undefined {
  const dir = tlsDir(stateDir)
  const certFile = join(dir, 'ca.pem')
  const keyFile = join(dir, 'ca.key.pem')
  if (!existsSync(certFile) || !existsSync(keyFile)) return undefined
  try {
    const certPem = readFileSync(certFile, 'utf8')
    const keyPem = readFileSync(keyFile, 'utf8')
    const key = createPrivateKey(keyPem)
    const cert = new X509Certificate(certPem)
    if (!cert.ca || !cert.checkPrivateKey(key)) return undefined
    return {certPem, keyPem, key, cert}
  } catch {
    return undefined
  }
}

/**
 * The device's CA: loaded from `<stateDir>/tls/ca.pem` + `ca.key.pem`, or created there (EC P-256,
 * self-signed, CA:TRUE, valid 20 years) when missing or unreadable.
 */
export function ensureDeviceCa(stateDir: string, opts: {deviceName?: string} = {}): DeviceCa {
  const existing = loadCa(stateDir)
  if (existing) return existing
  const {privateKey, publicKey} = generateEcKey()
  const now = new Date()
  const notBefore = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - 86_400_000)
  const notAfter = new Date(Date.UTC(now.getUTCFullYear() + 20, now.getUTCMonth(), now.getUTCDate()))
  const subject = {O: 'sphere-sdk', CN: `Sphere Simulated Device CA${opts.deviceName ? ` (${opts.deviceName})` : ''}`}
  const certPem = buildCertificate({subject, publicKey, signingKey: privateKey, notBefore, notAfter, ca: true})
  const keyPem = privateKey.export({type: 'pkcs8', format: 'pem'}).toString()
  const dir = tlsDir(stateDir)
  writeFileAtomic(join(dir, 'ca.key.pem'), keyPem, {mode: 0o600})
  writeFileAtomic(join(dir, 'ca.pem'), certPem)
  return {certPem, keyPem, key: privateKey, cert: new X509Certificate(certPem)}
}

/** The CA certificate (PEM) of the simulator whose state is in `stateDir`; creates the CA if missing. */
export function caPem(stateDir: string): string {
  return ensureDeviceCa(stateDir).certPem
}

/** IP SANs for a listen host: the IP itself; for a wildcard address, loopback + the device service IP. */
export function listenIps(host: string): string[] {
  if (host === '0.0.0.0' || host === '') return ['127.0.0.1', '192.168.35.2']
  if (host === '::') return ['127.0.0.1', '::1', '192.168.35.2']
  if (host === 'localhost') return ['127.0.0.1', '::1']
  if (isIP(host)) return [host]
  return []
}

/**
 * Key + certificate chain for the HTTPS listener on `host`. The leaf (EC P-256, signed by the device
 * CA) carries SAN `DNS:*.devices.sphere.azure.local`, `DNS:localhost` and the IPs of `host`; it is kept
 * in `<stateDir>/tls/` and re-issued when the SAN set changes or it is within 30 days of expiry.
 */
export function serverTls(stateDir: string, host: string): ServerTls {
  const ca = ensureDeviceCa(stateDir)
  const ips = [...new Set(listenIps(host))].sort()
  const dnsNames = [DEVICE_API_DNS_NAME, 'localhost']
  if (host && !isIP(host) && host !== 'localhost') dnsNames.push(host)
  const tag = createHash('sha256').update(JSON.stringify({dnsNames, ips})).digest('hex').slice(0, 16)
  const dir = tlsDir(stateDir)
  const certFile = join(dir, `leaf-${tag}.pem`)
  const keyFile = join(dir, `leaf-${tag}.key.pem`)
  if (existsSync(certFile) && existsSync(keyFile)) {
    try {
      const cert = readFileSync(certFile, 'utf8')
      const key = readFileSync(keyFile, 'utf8')
      const x = new X509Certificate(cert)
      const fresh = Date.parse(x.validTo) - Date.now() > 30 * 86_400_000
      if (fresh && x.verify(ca.cert.publicKey) && x.checkPrivateKey(createPrivateKey(key)))
        return {key, cert: cert + ca.certPem, ca: ca.certPem}
    } catch {
      // re-issue below
    }
  }
  const {privateKey, publicKey} = generateEcKey()
  const now = Date.now()
  const certPem = buildCertificate({
    subject: {O: 'sphere-sdk', CN: DEVICE_API_DNS_NAME},
    issuer: subjectOf(ca.cert),
    publicKey,
    signingKey: ca.key,
    issuerPublicKey: ca.cert.publicKey,
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(Math.min(now + 825 * 86_400_000, Date.parse(ca.cert.validTo))),
    dnsNames,
    ipAddresses: ips,
  })
  const keyPem = privateKey.export({type: 'pkcs8', format: 'pem'}).toString()
  writeFileAtomic(keyFile, keyPem, {mode: 0o600})
  writeFileAtomic(certFile, certPem)
  return {key: keyPem, cert: certPem + ca.certPem, ca: ca.certPem}
}

/** Recover our DistinguishedName from a certificate we issued (O and CN only). */
function subjectOf(cert: X509Certificate): DistinguishedName {
  const fields = new Map<string, string>()
  for (const line of cert.subject.split('\n')) {
    const i = line.indexOf('=')
    if (i > 0) fields.set(line.slice(0, i), line.slice(i + 1))
  }
  const CN = fields.get('CN')
  if (!CN)
    throw new SphereError(
      'TLS_BAD_CA',
      'The device CA certificate has no common name; delete the tls folder of the simulator state to re-create it.',
    )
  const n: DistinguishedName = {CN}
  const O = fields.get('O')
  if (O) n.O = O
  return n
}

/** The public key of a PEM certificate (helper for tests and callers that pin keys). */
export function certificatePublicKey(pem: string): KeyObject {
  return createPublicKey(new X509Certificate(pem).publicKey.export({type: 'spki', format: 'pem'}))
}
