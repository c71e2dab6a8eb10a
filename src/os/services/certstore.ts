/**
 * The device certificate store (`certstore/...` REST endpoints, `device certificate ...` commands):
 * root CA and client certificates by identifier, with a fixed byte budget. Persisted in
 * `<stateDir>/certstore.json` (atomic writes), so it survives a daemon restart.
 */
import {X509Certificate} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../../util/atomic-file.js'
import {SphereError} from '../../util/errors.js'

/** Bytes available in an empty store (what a real device reports). */
export const CERTSTORE_CAPACITY = 24514
/** Longest accepted certificate identifier. */
export const CERT_ID_MAX = 64

export type CertType = 'rootca' | 'client'

export interface CertEntry {
  id: string
  certType: CertType
  publicCert: string
  privateKey?: string
  password?: string
}

/** GET certstore/certs/{id} (exact key set). */
export interface CertDetails {
  id: string
  notBefore: string
  notAfter: string
  subjectName: string
  issuerName: string
}

/** Errors the store raises; the REST layer maps the `code` to a device error. */
export type CertStoreErrorCode =
  'CERT_NOT_FOUND' | 'CERT_STORE_FULL' | 'CERT_TYPE_INVALID' | 'CERT_INVALID' | 'CERT_ID_INVALID'

/** `2024-01-31T12:00:00` (UTC, no zone, no fraction) from the certificate's own date text. */
function isoNoZone(text: string): string {
  const t = Date.parse(text)
  if (Number.isNaN(t)) throw new SphereError('CERT_INVALID', `Cannot read the certificate date '${text}'.`)
  return new Date(t).toISOString().slice(0, 19)
}

/** OpenSSL one-line form: `/C=US/O=Org/CN=Name` from Node's newline-separated name. */
export function onelineName(nodeName: string): string {
  return nodeName
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => `/${l}`)
    .join('')
}

/** Details of a PEM certificate as the device reports them. Throws CERT_INVALID if it does not parse. */
export function certDetails(id: string, pem: string): CertDetails {
  let x: X509Certificate
  try {
    x = new X509Certificate(pem)
  } catch (e) {
    throw new SphereError('CERT_INVALID', 'The certificate is not a valid PEM or DER X.509 certificate.', {cause: e})
  }
  return {
    id,
    notBefore: isoNoZone(x.validFrom),
    notAfter: isoNoZone(x.validTo),
    subjectName: onelineName(x.subject),
    issuerName: onelineName(x.issuer),
  }
}

/** Bytes an entry takes from the store budget: DER certificate + key material + a small record overhead. */
function entrySize(e: CertEntry): number {
  const derLen = new X509Certificate(e.publicCert).raw.length
  return (
    derLen +
    (e.privateKey ? Buffer.byteLength(e.privateKey) : 0) +
    (e.password ? Buffer.byteLength(e.password) : 0) +
    32
  )
}

export class CertStore {
  private entries: CertEntry[] = []
  private readonly file: string | undefined

  private constructor(file: string | undefined) {
    this.file = file
  }

  /** The store persisted under `stateDir` (created empty on first use). `stateDir` undefined: in memory only. */
  static open(stateDir: string | undefined): CertStore {
    const s = new CertStore(stateDir === undefined ? undefined : join(stateDir, 'certstore.json'))
    if (s.file && existsSync(s.file)) {
      try {
        const data = JSON.parse(readFileSync(s.file, 'utf8')) as {entries?: CertEntry[]}
        s.entries = Array.isArray(data.entries)
          ? data.entries.filter((e) => typeof e?.id === 'string' && typeof e.publicCert === 'string')
          : []
      } catch {
        s.entries = []
      }
    }
    return s
  }

  /** Identifiers in insertion order. */
  list(): string[] {
    return this.entries.map((e) => e.id)
  }

  get(id: string): CertDetails | undefined {
    const e = this.entries.find((x) => x.id === id)
    return e ? certDetails(e.id, e.publicCert) : undefined
  }

  has(id: string): boolean {
    return this.entries.some((x) => x.id === id)
  }

  /** Bytes left. Always 0..CERTSTORE_CAPACITY. */
  availableSpace(): number {
    let used = 0
    for (const e of this.entries) used += entrySize(e)
    return Math.max(0, CERTSTORE_CAPACITY - used)
  }

  /** The REST form: always exactly 5 digits so string order matches numeric order. */
  availableSpaceString(): string {
    return String(this.availableSpace()).padStart(5, '0')
  }

  /**
   * Add (or replace) a certificate. No validity-period check; a `rootca` need not be self-signed and any
   * private key sent with it is dropped. Throws SphereError CERT_TYPE_INVALID / CERT_INVALID / CERT_ID_INVALID /
   * CERT_STORE_FULL.
   */
  add(id: string, req: {certType: unknown; publicCert: unknown; privateKey?: unknown; password?: unknown}): void {
    if (id.length === 0 || id.length > CERT_ID_MAX || /[\0-\x1f/]/.test(id)) {
      throw new SphereError(
        'CERT_ID_INVALID',
        `Certificate identifier must be 1-${CERT_ID_MAX} printable characters without '/'.`,
      )
    }
    if (req.certType !== 'rootca' && req.certType !== 'client') {
      throw new SphereError('CERT_TYPE_INVALID', "Certificate type must be 'client' or 'rootca'.")
    }
    if (typeof req.publicCert !== 'string') throw new SphereError('CERT_INVALID', 'publicCert must be a PEM string.')
    certDetails(id, req.publicCert) // parses or throws CERT_INVALID
    const entry: CertEntry = {id, certType: req.certType, publicCert: req.publicCert}
    if (req.certType === 'client') {
      if (typeof req.privateKey !== 'string' || req.privateKey === '')
        throw new SphereError('CERT_INVALID', 'A client certificate needs privateKey (PEM).')
      entry.privateKey = req.privateKey
      if (typeof req.password === 'string' && req.password !== '') entry.password = req.password
    }
    const others = this.entries.filter((e) => e.id !== id)
    let used = 0
    for (const e of others) used += entrySize(e)
    if (used + entrySize(entry) > CERTSTORE_CAPACITY)
      throw new SphereError('CERT_STORE_FULL', 'Certificate store is out of space.')
    const i = this.entries.findIndex((e) => e.id === id)
    const next = [...this.entries]
    if (i >= 0) next[i] = entry
    else next.push(entry)
    this.commit(next)
  }

  /** Remove; false when unknown. */
  remove(id: string): boolean {
    if (!this.has(id)) return false
    this.commit(this.entries.filter((e) => e.id !== id))
    return true
  }

  private commit(next: CertEntry[]): void {
    if (this.file) writeFileAtomic(this.file, JSON.stringify({entries: next}), {mode: 0o600})
    this.entries = next
  }
}
