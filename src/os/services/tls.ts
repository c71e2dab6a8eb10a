/**
 * The simulator's TLS identity: a per-device CA (EC P-256, self-signed, kept in the state dir) and a
 * server leaf certificate with SAN `DNS:*.devices.sphere.azure.local` plus the listen IPs, as device API
 * clients require (see device-rest-api reference §1). Node can parse X.509 but not build it, so this file
 * carries a small DER encoder and a certificate builder (TBSCertificate + ECDSA-with-SHA256).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {isIP} from 'node:net'
import {join} from 'node:path'
import {writeFileAtomic} from '../../util/atomic-file.js'
import {SphereError} from '../../util/errors.js'

// ---------------------------------------------------------------------------------------------------
// DER encoding (X.690): just what certificates need.

/** A DER value: tag byte(s) + definite length + contents. */
export function derTlv(tag: number, content: Uint8Array): Buffer {
  const len = content.length
  let head: number[]
  if (len < 0x80) head = [tag, len]
  else {
    const bytes: number[] = []
    for (let n = len; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff)
    head = [tag, 0x80 | bytes.length, ...bytes]
  }
  return Buffer.concat([Buffer.from(head), content])
}

export const der = {
  sequence: (...items: Uint8Array[]) => derTlv(0x30, Buffer.concat(items)),
  set: (...items: Uint8Array[]) => derTlv(0x31, Buffer.concat(items)),
  bool: (v: boolean) => derTlv(0x01, Buffer.from([v ? 0xff : 0x00])),
  /** A non-negative INTEGER from big-endian magnitude bytes (or a small number). */
  uint(v: number | Uint8Array): Buffer {
    let b: Buffer
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`bad DER integer ${v}`)
      const bytes: number[] = []
      for (let n = v; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff)
      b = Buffer.from(bytes.length ? bytes : [0])
    } else b = Buffer.from(v)
    let i = 0
    while (i < b.length - 1 && b[i] === 0) i++
    b = b.subarray(i)
    if (b.length === 0) b = Buffer.from([0])
    if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b])
    return derTlv(0x02, b)
  },
  oid(dotted: string): Buffer {
    const parts = dotted.split('.').map((p) => Number(p))
    if (parts.length < 2 || parts.some((p) => !Number.isSafeInteger(p) || p < 0))
      throw new RangeError(`bad OID ${dotted}`)
    const out: number[] = [parts[0]! * 40 + parts[1]!]
    for (const p of parts.slice(2)) {
      const chunk: number[] = [p & 0x7f]
      for (let n = Math.floor(p / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n & 0x7f))
      out.push(...chunk)
    }
    return derTlv(0x06, Buffer.from(out))
  },
  utf8: (s: string) => derTlv(0x0c, Buffer.from(s, 'utf8')),
  printable: (s: string) => derTlv(0x13, Buffer.from(s, 'ascii')),
  ia5: (s: string) => derTlv(0x16, Buffer.from(s, 'ascii')),
  octets: (b: Uint8Array) => derTlv(0x04, b),
  /** BIT STRING with `unused` padding bits in the last byte. */
  bits: (b: Uint8Array, unused = 0) => derTlv(0x03, Buffer.concat([Buffer.from([unused]), b])),
  /** UTCTime for 1950-2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5). */
  time(d: Date): Buffer {
    const y = d.getUTCFullYear()
    const p = (n: number, w = 2) => String(n).padStart(w, '0')
    const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`
    if (y >= 1950 && y < 2050) return derTlv(0x17, Buffer.from(`${p(y % 100)}${rest}`, 'ascii'))
    return derTlv(0x18, Buffer.from(`${p(y, 4)}${rest}`, 'ascii'))
  },
  /** Context-specific constructed [n] EXPLICIT wrapper. */
  explicit: (n: number, inner: Uint8Array) => derTlv(0xa0 | n, inner),
  /** Context-specific primitive [n] IMPLICIT. */
  implicit: (n: number, content: Uint8Array) => derTlv(0x80 | n, content),
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  country: '2.5.4.6',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  extKeyUsage: '2.5.29.37',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const

export interface DistinguishedName {
  C?: string
  O?: string
  OU?: string
  CN: string
}

function encodeName(n: DistinguishedName): Buffer {
  const rdn = (oid: string, value: Buffer) => der.set(der.sequence(der.oid(oid), value))
  const parts: Buffer[] = []
  if (n.C) parts.push(rdn(OID.country, der.printable(n.C)))
  if (n.O) parts.push(rdn(OID.organization, der.utf8(n.O)))
  if (n.OU) parts.push(rdn(OID.organizationalUnit, der.utf8(n.OU)))
  parts.push(rdn(OID.commonName, der.utf8(n.CN)))
  return der.sequence(...parts)
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? der.sequence(der.oid(oid), der.bool(true), der.octets(value))
    : der.sequence(der.oid(oid), der.octets(value))
}

/** keyUsage bits (RFC 5280): bit 0 digitalSignature ... bit 5 keyCertSign, bit 6 cRLSign. */
function keyUsageBits(bits: number[]): Buffer {
  let v = 0
  for (const b of bits) v |= 0x80 >> b
  const maxBit = Math.max(...bits)
  return der.bits(Buffer.from([v]), 7 - maxBit)
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map((x) => Number(x)))
  if (isIP(ip) === 6) {
    const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined]
    const h = head ? head.split(':') : []
    const t = tail ? tail.split(':') : []
    const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t]
    const out = Buffer.alloc(16)
    groups.forEach((g, i) => out.writeUInt16BE(parseInt(g || '0', 16), i * 2))
    return out
  }
  throw new RangeError(`not an IP address: ${ip}`)
}

export interface CertificateSpec {
  subject: DistinguishedName
  /** Defaults to the subject (self-signed). */
  issuer?: DistinguishedName
  /** The certified public key. */
  publicKey: KeyObject
  /** The key that signs (the issuer's private key; for a self-signed cert, the subject's own). */
  signingKey: KeyObject
  /** The issuer's public key, for the authority key identifier. Defaults to publicKey. */
  issuerPublicKey?: KeyObject
  notBefore: Date
  notAfter: Date
  serial?: Uint8Array
  ca?: boolean
  dnsNames?: string[]
  ipAddresses?: string[]
}

function keyId(pub: KeyObject): Buffer {
  // RFC 5280 method 1: SHA-1 of the subjectPublicKey BIT STRING contents; we hash the whole SPKI (method-agnostic).
  return createHash('sha1')
    .update(pub.export({type: 'spki', format: 'der'}))
    .digest()
}

/** Build and sign an X.509 v3 certificate; returns PEM. The key must be an EC key (ECDSA with SHA-256). */
export function buildCertificate(spec: CertificateSpec): string {
  const sigAlg = der.sequence(der.oid(OID.ecdsaWithSha256))
  const serial =
    spec.serial ??
    (() => {
      const s = randomBytes(16)
      s[0] = s[0]! & 0x7f
      return s
    })()
  const exts: Buffer[] = []
  if (spec.ca) {
    exts.push(extension(OID.basicConstraints, true, der.sequence(der.bool(true))))
    exts.push(extension(OID.keyUsage, true, keyUsageBits([0, 5, 6])))
  } else {
    exts.push(extension(OID.basicConstraints, true, der.sequence()))
    exts.push(extension(OID.keyUsage, true, keyUsageBits([0])))
    exts.push(extension(OID.extKeyUsage, false, der.sequence(der.oid(OID.serverAuth))))
  }
  const sans = [
    ...(spec.dnsNames ?? []).map((d) => der.implicit(2, Buffer.from(d, 'ascii'))),
    ...(spec.ipAddresses ?? []).map((ip) => der.implicit(7, ipBytes(ip))),
  ]
  if (sans.length) exts.push(extension(OID.subjectAltName, false, der.sequence(...sans)))
  exts.push(extension(OID.subjectKeyId, false, der.octets(keyId(spec.publicKey))))
  exts.push(
    extension(OID.authorityKeyId, false, der.sequence(der.implicit(0, keyId(spec.issuerPublicKey ?? spec.publicKey)))),
  )

  const tbs = der.sequence(
    der.explicit(0, der.uint(2)),
    der.uint(serial),
    sigAlg,
    encodeName(spec.issuer ?? spec.subject),
    der.sequence(der.time(spec.notBefore), der.time(spec.notAfter)),
    encodeName(spec.subject),
    spec.publicKey.export({type: 'spki', format: 'der'}),
    der.explicit(3, der.sequence(...exts)),
  )
  const sig = sign('sha256', tbs, {key: spec.signingKey, dsaEncoding: 'der'})
  const cert = der.sequence(tbs, sigAlg, der.bits(sig))
  return toPem('CERTIFICATE', cert)
}

export function toPem(label: string, body: Uint8Array): string {
  const b64 = Buffer.from(body).toString('base64')
  const lines = b64.match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}

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
