/**
 * The hub's TLS identity: its own CA (EC P-256, `hub/tls/ca.pem`) and a server certificate for the hub's and
 * DPS's host names plus localhost / 127.0.0.1, re-issued when the names change. And the X.509 checks that
 * authenticate devices: thumbprints and issuance by an enrolment group's CA.
 */
import {createPrivateKey, generateKeyPairSync, X509Certificate} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {PeerCertificate} from 'node:tls'
import {writeFileAtomic} from '../util/atomic-file.js'
import {buildCertificate, loadOrMakeCa, type StoredCa} from '../util/x509.js'
import {hubTlsDir} from './paths.js'

const HUB_CA_SUBJECT = {O: 'sphere-sdk', CN: 'Sphere Local IoT Hub CA'}

/** The hub's CA: re-made when it has less than a day left. */
const loadOrMakeHubCa = (dir: string): StoredCa =>
  loadOrMakeCa(dir, {subject: HUB_CA_SUBJECT, years: 20, minValidMs: 86_400_000})

export interface HubTls {
  key: string
  /** Leaf + CA. */
  cert: string
  caPem: string
}

/** Key and chain for the MQTT/TLS listener, valid for `names` (DNS) and 127.0.0.1 / ::1. */
export function hubServerTls(home: string, names: string[]): HubTls {
  const dir = hubTlsDir(home)
  const ca = loadOrMakeHubCa(dir)
  const dnsNames = [...new Set([...names, 'localhost'])]
  const certFile = join(dir, 'server.pem')
  const keyFile = join(dir, 'server.key.pem')
  if (existsSync(certFile) && existsSync(keyFile)) {
    try {
      const cert = readFileSync(certFile, 'utf8')
      const key = readFileSync(keyFile, 'utf8')
      const x = new X509Certificate(cert)
      const fresh = Date.parse(x.validTo) - Date.now() > 30 * 86_400_000
      if (
        fresh &&
        x.verify(ca.cert.publicKey) &&
        x.checkPrivateKey(createPrivateKey(key)) &&
        dnsNames.every((n) => x.checkHost(n) === n)
      )
        return {key, cert: cert + ca.certPem, caPem: ca.certPem}
    } catch {
      // re-issued below
    }
  }
  const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  const now = Date.now()
  const certPem = buildCertificate({
    subject: {O: 'sphere-sdk', CN: names[0] ?? 'localhost'},
    issuer: HUB_CA_SUBJECT,
    publicKey,
    signingKey: ca.key,
    issuerPublicKey: ca.cert.publicKey,
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(Math.min(now + 825 * 86_400_000, Date.parse(ca.cert.validTo))),
    dnsNames,
    ipAddresses: ['127.0.0.1', '::1'],
  })
  const keyPem = privateKey.export({type: 'pkcs8', format: 'pem'}).toString()
  writeFileAtomic(keyFile, keyPem, {mode: 0o600})
  writeFileAtomic(certFile, certPem)
  return {key: keyPem, cert: certPem + ca.certPem, caPem: ca.certPem}
}

/** SHA-1 thumbprint as Azure shows it: 40 uppercase hex digits. */
export function thumbprint(cert: X509Certificate): string {
  return cert.fingerprint.replace(/:/g, '').toUpperCase()
}

export function commonName(cert: X509Certificate): string | undefined {
  for (const line of cert.subject.split('\n')) if (line.startsWith('CN=')) return line.slice(3)
  return undefined
}

/** The certificates a TLS peer presented, leaf first (Node links them through issuerCertificate). */
export function presentedChain(peer: PeerCertificate | undefined): X509Certificate[] {
  const out: X509Certificate[] = []
  let p = peer as (PeerCertificate & {issuerCertificate?: PeerCertificate}) | undefined
  const seen = new Set<string>()
  while (p && p.raw && !seen.has(p.fingerprint256)) {
    seen.add(p.fingerprint256)
    out.push(new X509Certificate(p.raw))
    p = p.issuerCertificate as typeof p
  }
  return out
}

const inDate = (c: X509Certificate, now: number) => Date.parse(c.validFrom) <= now && now <= Date.parse(c.validTo)

/**
 * Whether `trusted` (a CA) issued the leaf, directly or through CA certificates the peer presented. Signatures
 * and validity dates are checked on every link.
 */
export function issuedBy(chain: X509Certificate[], trusted: X509Certificate, now = Date.now()): boolean {
  let cur = chain[0]
  if (!cur || !inDate(cur, now)) return false
  for (let depth = 0; depth < 5; depth++) {
    if (cur.checkIssued(trusted) && cur.verify(trusted.publicKey)) return inDate(trusted, now)
    const next: X509Certificate | undefined = chain.find(
      (c) => c !== cur && c.ca && cur!.checkIssued(c) && cur!.verify(c.publicKey),
    )
    if (!next || !inDate(next, now)) return false
    cur = next
  }
  return false
}
