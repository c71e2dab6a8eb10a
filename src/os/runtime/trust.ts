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
import {X509Certificate} from 'node:crypto'

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

/** The subject common name of a PEM certificate (undefined: none, or not a certificate). */
export function certificateName(pem: string): string | undefined {
  try {
    for (const line of new X509Certificate(pem).subject.split('\n')) if (line.startsWith('CN=')) return line.slice(3)
  } catch {
    // not a certificate: names nothing
  }
  return undefined
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
