/**
 * X.509 v3 certificates built and signed in-process: the certificate structures (RFC 5280) and their DER
 * encoding come from @peculiar/asn1-x509, and node:crypto signs the TBSCertificate (ECDSA with SHA-256), so
 * building stays synchronous. Used by the simulated device's TLS identity and by the local IoT hub.
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
  id_kp_clientAuth,
  id_kp_serverAuth,
} from '@peculiar/asn1-x509'
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {isIP} from 'node:net'
import {join} from 'node:path'
import {writeFileAtomic} from './atomic-file.js'

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
  /** A client certificate (extended key usage clientAuth instead of serverAuth). */
  clientAuth?: boolean
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
    exts.push(
      extension(
        id_ce_extKeyUsage,
        false,
        new ExtendedKeyUsage([spec.clientAuth ? id_kp_clientAuth : id_kp_serverAuth]),
      ),
    )
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

/** A CA kept on disk: its certificate (PEM and parsed) and private key. */
export interface StoredCa {
  certPem: string
  key: KeyObject
  cert: X509Certificate
}

/**
 * The CA in `dir` (`ca.pem` + `ca.key.pem`), or a new EC P-256 one written there (atomically, the key 0600)
 * when the files are missing, unreadable, not a CA, not a matching pair, or valid for less than `minValidMs` more.
 */
export function loadOrMakeCa(
  dir: string,
  opts: {subject: DistinguishedName; years: number; minValidMs?: number},
): StoredCa {
  const certFile = join(dir, 'ca.pem')
  const keyFile = join(dir, 'ca.key.pem')
  if (existsSync(certFile) && existsSync(keyFile)) {
    try {
      const certPem = readFileSync(certFile, 'utf8')
      const key = createPrivateKey(readFileSync(keyFile, 'utf8'))
      const cert = new X509Certificate(certPem)
      if (cert.ca && cert.checkPrivateKey(key) && Date.parse(cert.validTo) > Date.now() + (opts.minValidMs ?? 0))
        return {certPem, key, cert}
    } catch {
      // made again below
    }
  }
  const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  const now = Date.now()
  const certPem = buildCertificate({
    subject: opts.subject,
    publicKey,
    signingKey: privateKey,
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + opts.years * 365 * 86_400_000),
    ca: true,
  })
  writeFileAtomic(keyFile, privateKey.export({type: 'pkcs8', format: 'pem'}).toString(), {mode: 0o600})
  writeFileAtomic(certFile, certPem)
  return {certPem, key: privateKey, cert: new X509Certificate(certPem)}
}
