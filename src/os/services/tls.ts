/**
 * The simulator's TLS identity: a per-device CA (EC P-256, self-signed, kept in the state dir) and a
 * server leaf certificate with SAN `DNS:*.devices.sphere.azure.local` plus the listen IPs, as device API
 * clients require (see device-rest-api reference §1). Node can parse X.509 but not build it; the
 * certificate structures (RFC 5280) and their DER encoding come from @peculiar/asn1-x509, and node:crypto
 * signs the TBSCertificate (ECDSA with SHA-256), so building stays synchronous.
 */
import {AsnConvert, OctetString} from '@peculiar/asn1-schema'
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Time,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_serverAuth,
} from '@peculiar/asn1-x509'
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

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  country: '2.5.4.6',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
} as const

export interface DistinguishedName {
  C?: string
  O?: string
  OU?: string
  CN: string
}

/** C as PrintableString, O / OU / CN as UTF8String, in that order (one attribute per RDN). */
function encodeName(n: DistinguishedName): Name {
  const rdn = (type: string, value: AttributeValue) =>
    new RelativeDistinguishedName([new AttributeTypeAndValue({type, value})])
  const parts: RelativeDistinguishedName[] = []
  if (n.C) parts.push(rdn(OID.country, new AttributeValue({printableString: n.C})))
  if (n.O) parts.push(rdn(OID.organization, new AttributeValue({utf8String: n.O})))
  if (n.OU) parts.push(rdn(OID.organizationalUnit, new AttributeValue({utf8String: n.OU})))
  parts.push(rdn(OID.commonName, new AttributeValue({utf8String: n.CN})))
  return new Name(parts)
}

function extension(extnID: string, critical: boolean, value: unknown): Extension {
  return new Extension({extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value))})
}

/** UTCTime for 1950-2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5). */
function certTime(d: Date): Time {
  const t = new Date(d.getTime())
  t.setUTCMilliseconds(0)
  const y = t.getUTCFullYear()
  return y >= 1950 && y < 2050 ? new Time({utcTime: t}) : new Time({generalTime: t})
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

/** A copy of exactly the bytes of `u` (a Buffer may be a view into a larger shared pool). */
function arrayBuffer(u: Uint8Array): ArrayBuffer {
  return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer
}

/** A positive INTEGER's content bytes: leading zeros dropped, a 0x00 added when the top bit is set. */
function serialBytes(serial: Uint8Array): Uint8Array {
  let i = 0
  while (i < serial.length - 1 && serial[i] === 0) i++
  const b = serial.subarray(i)
  if (b.length === 0) return new Uint8Array([0])
  return b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b
}

/** Build and sign an X.509 v3 certificate; returns PEM. The key must be an EC key (ECDSA with SHA-256). */
export function buildCertificate(spec: CertificateSpec): string {
  const sigAlg = new AlgorithmIdentifier({algorithm: OID.ecdsaWithSha256})
  const serial =
    spec.serial ??
    (() => {
      const s = randomBytes(16)
      s[0] = s[0]! & 0x7f
      return s
    })()
  for (const ip of spec.ipAddresses ?? []) if (!isIP(ip)) throw new RangeError(`not an IP address: ${ip}`)
  const exts: Extension[] = []
  if (spec.ca) {
    exts.push(extension(id_ce_basicConstraints, true, new BasicConstraints({cA: true})))
    const usage = KeyUsageFlags.digitalSignature | KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign
    exts.push(extension(id_ce_keyUsage, true, new KeyUsage(usage)))
  } else {
    exts.push(extension(id_ce_basicConstraints, true, new BasicConstraints()))
    exts.push(extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature)))
    exts.push(extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_serverAuth])))
  }
  const sans = [
    ...(spec.dnsNames ?? []).map((dNSName) => new GeneralName({dNSName})),
    ...(spec.ipAddresses ?? []).map((iPAddress) => new GeneralName({iPAddress})),
  ]
  if (sans.length) exts.push(extension(id_ce_subjectAltName, false, new SubjectAlternativeName(sans)))
  exts.push(extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId(spec.publicKey))))
  const authorityKeyId = new KeyIdentifier(keyId(spec.issuerPublicKey ?? spec.publicKey))
  exts.push(extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({keyIdentifier: authorityKeyId})))

  const tbsCertificate = new TBSCertificate({
    version: Version.v3,
    serialNumber: arrayBuffer(serialBytes(serial)),
    signature: sigAlg,
    issuer: encodeName(spec.issuer ?? spec.subject),
    validity: new Validity(),
    subject: encodeName(spec.subject),
    subjectPublicKeyInfo: AsnConvert.parse(spec.publicKey.export({type: 'spki', format: 'der'}), SubjectPublicKeyInfo),
    extensions: new Extensions(exts),
  })
  tbsCertificate.validity.notBefore = certTime(spec.notBefore)
  tbsCertificate.validity.notAfter = certTime(spec.notAfter)
  const tbs = Buffer.from(AsnConvert.serialize(tbsCertificate))
  const signatureValue = sign('sha256', tbs, {key: spec.signingKey, dsaEncoding: 'der'})
  const cert = new Certificate({
    tbsCertificate,
    signatureAlgorithm: sigAlg,
    signatureValue: arrayBuffer(signatureValue),
  })
  return toPem('CERTIFICATE', new Uint8Array(AsnConvert.serialize(cert)))
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
