/**
 * The one trust decision of the OS's TLS clients (wolfSSL in tls-client.ts, libcurl in curl.ts): the roots a
 * server certificate is verified against, given the certificates of the app's own CA file(s) (what
 * `wolfSSL_CTX_load_verify_locations` / `CURLOPT_CAINFO` name in its image package) and the device's trust
 * store.
 *
 * On a device an app trusts exactly its CA file. The simulator's servers (the world's local internet, a test's
 * own TLS server) carry certificates of test CAs, so the device's trust store holds **stand-ins**: a test root
 * and the public CA certificates it answers for (by subject common name, or any CA). The rule, the same for both
 * libraries:
 *
 *   roots = the app's certificates + every stand-in for one of them.
 *
 * So an unchanged sample whose package carries `certs/DigiCertGlobalRootG3.crt.pem` verifies a local server
 * whose test CA stands in for "DigiCert Global Root G3"; a CA file the stand-ins do not answer for verifies
 * nothing but what it holds, and an app that loads no CA file trusts nothing, as on a device. The device's
 * Wi-Fi certificate store (CertStore_*) is not consulted, as on a device (it serves EAP-TLS).
 */
import {X509Certificate, createHash} from 'node:crypto'
import tls from 'node:tls'

/** One test root of the device's trust store and the CA certificates it stands in for. */
export interface StandIn {
  /** The root certificate (PEM). */
  pem: string
  /** Subject common names of the CA certificates it answers for; 'any': every CA an app's file holds. */
  standsFor: readonly string[] | 'any'
}

/** The device's trust store: the world's `tlsRoots` and the local internet's test CA (docs/world.md, "Trust"). */
export interface DeviceTrustStore {
  standIns(): readonly StandIn[]
}

/**
 * Most distinct certificates one CA file may hold. Parsing a certificate and adding it to a TLS context cost the
 * host about 0.3 ms each, work done for the app outside its slice: a file of thousands held every app of the
 * device for seconds per transfer (catalogue a103). Public CA bundles hold about 150; an app's file is usually one.
 */
export const MAX_CA_CERTIFICATES = 64
/** Largest CA file read (what one read and scan of it costs the host is then about a millisecond). */
export const MAX_CA_FILE_BYTES = 256 * 1024
/** Parsed certificates kept (by PEM text), so a file used transfer after transfer is parsed once. */
const PARSED_KEPT = 4096
/** A parsed certificate: its subject common name ('' none), or false when the text is not a certificate. */
const parsed = new Map<string, string | false>()

function parse(pem: string): string | false {
  const k = parsed.get(pem)
  if (k !== undefined) return k
  let v: string | false
  try {
    v = ''
    for (const line of new X509Certificate(pem).subject.split('\n')) if (line.startsWith('CN=')) v = line.slice(3)
  } catch {
    v = false
  }
  if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value as string)
  parsed.set(pem, v)
  return v
}

/** Is this PEM block a certificate? (Parsed once, then remembered.) */
export function isCertificate(pem: string): boolean {
  return parse(pem) !== false
}

/** The subject common name of a PEM certificate (undefined: none, or not a certificate). */
export function certificateName(pem: string): string | undefined {
  const v = parse(pem)
  return v === false || v === '' ? undefined : v
}

/** The distinct PEM certificate blocks of a CA file's text, or 'too-many' past MAX_CA_CERTIFICATES. */
export function pemBlocks(text: string): string[] | 'too-many' {
  const out = [...new Set(text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [])]
  return out.length > MAX_CA_CERTIFICATES ? 'too-many' : out
}

/**
 * The certificates of `pems` that parse, parsed a few at a time: between them the host's other work (the other
 * apps) has its turn, so a file that is not yet known never holds the device for more than about a millisecond.
 */
export async function validCertificates(pems: readonly string[]): Promise<string[]> {
  const out: string[] = []
  let since = performance.now()
  for (const p of pems) {
    if (!parsed.has(p) && performance.now() - since >= 1) {
      await new Promise((ok) => setImmediate(ok))
      since = performance.now()
    }
    if (isCertificate(p)) out.push(p)
  }
  return out
}

/** TLS client contexts kept, by what they hold (roots, versions, client identity). */
const CONTEXTS_KEPT = 32
const contexts = new Map<string, tls.SecureContext>()

/**
 * A TLS client context for these roots (and client identity, versions): made once per distinct set and then
 * reused, as making one costs the host about 0.35 ms per root.
 */
export function clientContext(o: {
  ca: readonly string[]
  cert?: string
  key?: string
  minVersion?: tls.SecureVersion
  maxVersion?: tls.SecureVersion
}): tls.SecureContext {
  const h = createHash('sha256')
  for (const part of [o.minVersion ?? '', o.maxVersion ?? '', o.cert ?? '', o.key ?? '', ...o.ca]) h.update(`${part.length}:${part}`)
  const k = h.digest('hex')
  const kept = contexts.get(k)
  if (kept) {
    contexts.delete(k)
    contexts.set(k, kept)
    return kept
  }
  const ctx = tls.createSecureContext({
    ca: [...o.ca],
    ...(o.cert !== undefined ? {cert: o.cert} : {}),
    ...(o.key !== undefined ? {key: o.key} : {}),
    ...(o.minVersion ? {minVersion: o.minVersion} : {}),
    ...(o.maxVersion ? {maxVersion: o.maxVersion} : {}),
  })
  if (contexts.size >= CONTEXTS_KEPT) contexts.delete(contexts.keys().next().value as string)
  contexts.set(k, ctx)
  return ctx
}

/** The roots to verify a server against: the app's certificates plus every stand-in for one of them. */
export function verifyRoots(appCas: readonly string[], store: DeviceTrustStore | undefined): string[] {
  const norm = (p: string): string => p.trim()
  const out: string[] = []
  const seen = new Set<string>()
  const add = (p: string): void => {
    const k = norm(p)
    if (seen.has(k)) return
    seen.add(k)
    out.push(p)
  }
  for (const p of appCas) add(p)
  if (appCas.length === 0 || !store) return out
  const names = new Set(appCas.map(certificateName).filter((n): n is string => n !== undefined))
  for (const s of store.standIns()) {
    if (seen.has(norm(s.pem))) continue
    if (s.standsFor === 'any' || s.standsFor.some((n) => names.has(n))) add(s.pem)
  }
  return out
}
