/**
 * Signing keys and trust anchors. A development ECDSA P-256 key pair is made on first use under
 * <sphereHome>/keys (private key mode 0600); the trust store (what a simulated device accepts) is that
 * key, any PEM public key or certificate under <sphereHome>/trust, and the publicly known key the
 * Azure Sphere SDK signs development packages with.
 */
import {
  X509Certificate,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto'
import {chmodSync, linkSync, mkdirSync, readFileSync, readdirSync, statSync, unlinkSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../util/atomic-file.js'
import {fail, toHex} from './binary.js'

export interface SigningKey {
  /** Label shown to users. */
  name: string
  privateKey: KeyObject
  publicKey: KeyObject
  /** 20 bytes written to the Signature section: SHA-1 of the certificate if one is attached, else of the public key (SPKI DER). */
  thumbprint: Uint8Array
  certificate?: X509Certificate
}

export interface TrustAnchor {
  name: string
  kind: 'development' | 'certificate' | 'public-key' | 'builtin'
  publicKey: KeyObject
  /** 40 hex digits (lower case). */
  thumbprint: string
}

/**
 * What a signing key is trusted for, the input of the install policy (the LSM's `image.install` decision):
 *   development  the per-user development key (SPHERE_HOME/keys): packages built on this machine
 *   sdk-test     the Azure Sphere SDK test key: SDK-built, sideloadable development packages
 *   cloud        a key added to the trust store (SPHERE_HOME/trust, or a device's own trust list): the key
 *                a cloud deployment signs with, as the Azure Sphere Security Service signs production images
 * Development and SDK test signatures are development signatures: a device runs them only with the
 * appDevelopment capability (or a fieldServicing session for a local sideload).
 */
export type SigningKeyClass = 'development' | 'sdk-test' | 'cloud'

/** The class of the trust anchor a package verified against. */
export function signingKeyClass(kind: TrustAnchor['kind']): SigningKeyClass {
  switch (kind) {
    case 'development':
      return 'development'
    case 'builtin':
      return 'sdk-test'
    case 'certificate':
    case 'public-key':
      return 'cloud'
  }
}

export interface TrustStore {
  anchors: TrustAnchor[]
}
/** What verifyImagePackage accepts: a trust store or a list of anchors. */
export type TrustAnchors = TrustStore | readonly TrustAnchor[]

export const DEV_KEY_FILE = 'dev-signing-key.pem'
export const DEV_PUB_FILE = 'dev-signing-key.pub.pem'

/**
 * The public key of the Azure Sphere SDK's test signing certificate ("Azure Sphere SDK Test"), with which
 * SDK-built, sideloadable packages are signed; its certificate's SHA-1 thumbprint is what those packages
 * carry in their Signature section.
 */
export const SDK_TEST_KEY = {
  name: 'Azure Sphere SDK Test',
  thumbprint: 'a8d5cc6958f48710140d7a26160fc1cfc31f5df0',
  jwk: {
    kty: 'EC',
    crv: 'P-256',
    x: '7fIzwA0xFB2PP1YzQ0DM2MFp-2fi7FZL-KXvWGscP3s',
    y: 'wYjKIIcB5tfHdWoTJjj-mMmgIAdAPeXEIuan6CakvSQ',
  },
} as const

export function sha1(b: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(b).digest())
}

export function publicKeyThumbprint(key: KeyObject): Uint8Array {
  return sha1(key.export({type: 'spki', format: 'der'}))
}

function checkEcKey(key: KeyObject, what: string): void {
  const curve = key.asymmetricKeyDetails?.namedCurve
  if (key.asymmetricKeyType !== 'ec' || (curve !== 'prime256v1' && curve !== 'secp384r1')) {
    fail(
      'KEY_INVALID',
      `${what}: expected an ECDSA P-256 (or P-384) key, found ${key.asymmetricKeyType ?? 'unknown'}${curve ? ` ${curve}` : ''}`,
    )
  }
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g

/**
 * A signing key from PEM text: a private key (PKCS#8, SEC1 "EC PRIVATE KEY"), optionally followed or
 * preceded by the certificate it belongs to (its thumbprint then goes into the Signature section).
 */
export function signingKeyFromPem(pem: string, name = 'key'): SigningKey {
  let privateKey: KeyObject | undefined
  let certificate: X509Certificate | undefined
  for (const m of pem.matchAll(PEM_BLOCK)) {
    const label = m[1] as string
    try {
      if (label.endsWith('PRIVATE KEY')) privateKey ??= createPrivateKey(m[0])
      else if (label === 'CERTIFICATE') certificate ??= new X509Certificate(m[0])
    } catch (e) {
      fail('KEY_INVALID', `${name}: cannot read the ${label.toLowerCase()} (${(e as Error).message.split('\n')[0]})`)
    }
  }
  if (!privateKey) fail('KEY_INVALID', `${name}: no private key found (expected a PEM "PRIVATE KEY" block)`)
  checkEcKey(privateKey, name)
  const publicKey = createPublicKey(privateKey)
  if (certificate && !certificate.publicKey.equals(publicKey))
    fail('KEY_INVALID', `${name}: the certificate does not belong to the private key`)
  const key: SigningKey = {
    name,
    privateKey,
    publicKey,
    thumbprint: certificate ? sha1(certificate.raw) : publicKeyThumbprint(publicKey),
  }
  if (certificate) key.certificate = certificate
  return key
}

/** A trust anchor from PEM or DER: a certificate (thumbprint = SHA-1 of it) or a public key. */
export function trustAnchorFromPem(data: string | Uint8Array, name = 'anchor'): TrustAnchor {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1')
  try {
    if (text.includes('-----BEGIN CERTIFICATE-----') || (typeof data !== 'string' && !text.includes('-----BEGIN'))) {
      try {
        const cert = new X509Certificate(typeof data === 'string' ? data : Buffer.from(data))
        checkEcKey(cert.publicKey, name)
        return {name, kind: 'certificate', publicKey: cert.publicKey, thumbprint: toHex(sha1(cert.raw))}
      } catch (e) {
        if (text.includes('-----BEGIN CERTIFICATE-----')) throw e
      }
    }
    const key =
      typeof data === 'string'
        ? createPublicKey(data)
        : text.includes('-----BEGIN')
          ? createPublicKey(text)
          : createPublicKey({key: Buffer.from(data), format: 'der', type: 'spki'})
    checkEcKey(key, name)
    return {name, kind: 'public-key', publicKey: key, thumbprint: toHex(publicKeyThumbprint(key))}
  } catch (e) {
    if ((e as {code?: string}).code === 'KEY_INVALID') throw e
    return fail(
      'KEY_INVALID',
      `${name}: not a PEM/DER certificate or public key (${(e as Error).message.split('\n')[0]})`,
    )
  }
}

let sdkTestPublicKey: KeyObject | undefined

export function sdkTestTrustAnchor(): TrustAnchor {
  // a KeyObject is immutable: one for the process (a fleet boots thousands of devices that trust it)
  sdkTestPublicKey ??= createPublicKey({key: {...SDK_TEST_KEY.jwk}, format: 'jwk'})
  return {
    name: SDK_TEST_KEY.name,
    kind: 'builtin',
    publicKey: sdkTestPublicKey,
    thumbprint: SDK_TEST_KEY.thumbprint,
  }
}

/**
 * The development key under <sphereHome>/keys, created on first use (P-256, PKCS#8 PEM, mode 0600).
 * Creation is race-free: the key is written to a temp file and hard-linked into place, so concurrent
 * first uses agree on one key.
 */
export function loadOrCreateDevKey(sphereHome: string): SigningKey {
  const dir = join(sphereHome, 'keys')
  const keyPath = join(dir, DEV_KEY_FILE)
  const pubPath = join(dir, DEV_PUB_FILE)
  let pem: string | undefined
  try {
    pem = readFileSync(keyPath, 'utf8')
  } catch (e) {
    if ((e as {code?: string}).code !== 'ENOENT')
      fail('KEY_UNREADABLE', `cannot read ${keyPath}: ${(e as Error).message}`)
  }
  if (pem === undefined) {
    mkdirSync(dir, {recursive: true, mode: 0o700})
    const {privateKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
    const fresh = privateKey.export({type: 'pkcs8', format: 'pem'}) as string
    const tmp = join(dir, `.${DEV_KEY_FILE}.${process.pid}.${Date.now().toString(36)}.tmp`)
    writeFileAtomic(tmp, fresh, {mode: 0o600})
    try {
      linkSync(tmp, keyPath)
    } catch (e) {
      if ((e as {code?: string}).code !== 'EEXIST') throw e
    } finally {
      try {
        unlinkSync(tmp)
      } catch {
        // gone already
      }
    }
    pem = readFileSync(keyPath, 'utf8')
  } else {
    try {
      if ((statSync(keyPath).mode & 0o077) !== 0) chmodSync(keyPath, 0o600)
    } catch {
      // best effort
    }
  }
  const key = signingKeyFromPem(pem, 'development key')
  key.name = 'development key'
  const pub = key.publicKey.export({type: 'spki', format: 'pem'}) as string
  let current: string | undefined
  try {
    current = readFileSync(pubPath, 'utf8')
  } catch {
    current = undefined
  }
  if (current !== pub) writeFileAtomic(pubPath, pub, {mode: 0o644})
  return key
}

export interface TrustStoreOptions {
  /** Trust the Azure Sphere SDK test key (default true). */
  includeSdkTestKey?: boolean
  /** Create the development key if missing (default true). */
  createDevKey?: boolean
}

/** Anchors a simulated device trusts: the development key, <sphereHome>/trust/*.pem|*.cer|*.der, and the SDK test key. */
export function loadTrustStore(sphereHome: string, opts: TrustStoreOptions = {}): TrustStore {
  const anchors: TrustAnchor[] = []
  const devPath = join(sphereHome, 'keys', DEV_KEY_FILE)
  let haveDev = true
  try {
    statSync(devPath)
  } catch {
    haveDev = false
  }
  if (haveDev || opts.createDevKey !== false) {
    const dev = loadOrCreateDevKey(sphereHome)
    anchors.push({
      name: 'development key',
      kind: 'development',
      publicKey: dev.publicKey,
      thumbprint: toHex(dev.thumbprint),
    })
  }
  const trustDir = join(sphereHome, 'trust')
  let names: string[] = []
  try {
    names = readdirSync(trustDir)
      .filter((n) => /\.(pem|cer|crt|der)$/i.test(n))
      .sort()
  } catch {
    names = []
  }
  for (const n of names) anchors.push({...trustAnchorFromPem(readFileSync(join(trustDir, n)), n)})
  if (opts.includeSdkTestKey !== false) anchors.push(sdkTestTrustAnchor())
  return {anchors}
}

/** Adds a public key or certificate to <sphereHome>/trust (written atomically). */
export function addTrustAnchor(sphereHome: string, data: string | Uint8Array, fileName: string): TrustAnchor {
  const a = trustAnchorFromPem(data, fileName)
  const pem =
    a.kind === 'certificate' && typeof data === 'string'
      ? data
      : (a.publicKey.export({type: 'spki', format: 'pem'}) as string)
  writeFileAtomic(join(sphereHome, 'trust', fileName.replace(/[^A-Za-z0-9._-]/g, '_')), pem)
  return a
}

export function anchorsOf(t: TrustAnchors): readonly TrustAnchor[] {
  return Array.isArray(t) ? (t as readonly TrustAnchor[]) : (t as TrustStore).anchors
}
