import {afterAll, describe, expect, it} from '@jest/globals'
import {readFileSync, statSync, existsSync, writeFileSync, chmodSync} from 'node:fs'
import {join} from 'node:path'
import {
  addTrustAnchor,
  loadOrCreateDevKey,
  loadTrustStore,
  signingKeyFromPem,
  toHex,
  trustAnchorFromPem,
  verifyImagePackage,
  DEV_KEY_FILE,
  DEV_PUB_FILE,
} from '../../src/image/index.js'
import {KEYS, newKey, smallPackage, sphereError, tempDir} from './helpers.js'

const t = tempDir()
afterAll(t.cleanup)

describe('development key', () => {
  const home = join(t.dir, 'home')
  it('is created on first use under SPHERE_HOME/keys with mode 0600, and reused after', () => {
    expect(existsSync(join(home, 'keys', DEV_KEY_FILE))).toBe(false)
    const k1 = loadOrCreateDevKey(home)
    const st = statSync(join(home, 'keys', DEV_KEY_FILE))
    expect(st.mode & 0o777).toBe(0o600)
    expect(statSync(join(home, 'keys')).mode & 0o077).toBe(0)
    expect(readFileSync(join(home, 'keys', DEV_KEY_FILE), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/)
    expect(readFileSync(join(home, 'keys', DEV_PUB_FILE), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/)
    const k2 = loadOrCreateDevKey(home)
    expect(toHex(k2.thumbprint)).toBe(toHex(k1.thumbprint))
    expect(k1.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
  })

  it('a key file made readable by others is tightened back to 0600', () => {
    chmodSync(join(home, 'keys', DEV_KEY_FILE), 0o644)
    loadOrCreateDevKey(home)
    expect(statSync(join(home, 'keys', DEV_KEY_FILE)).mode & 0o777).toBe(0o600)
  })

  it('a corrupt key file is a clear error', () => {
    const bad = join(t.dir, 'bad')
    loadOrCreateDevKey(bad)
    writeFileSync(join(bad, 'keys', DEV_KEY_FILE), 'garbage')
    expect(sphereError(() => loadOrCreateDevKey(bad)).message).toMatch(/development key: no private key found/)
  })
})

describe('trust store', () => {
  it('trusts the development key and the SDK test key by default', () => {
    const home = join(t.dir, 'ts1')
    const store = loadTrustStore(home)
    expect(store.anchors.map((a) => a.kind)).toEqual(['development', 'builtin'])
    const dev = loadOrCreateDevKey(home)
    expect(verifyImagePackage(smallPackage(dev), store)).toMatchObject({
      ok: true,
      anchor: 'development key',
      anchorKind: 'development',
    })
    expect(verifyImagePackage(smallPackage(newKey()), store).ok).toBe(false)
  })

  it('adds certificates and public keys from SPHERE_HOME/trust, and can leave out the SDK key', () => {
    const home = join(t.dir, 'ts2')
    addTrustAnchor(home, readFileSync(join(KEYS, 'test-signer.cert.pem'), 'utf8'), 'signer.pem')
    addTrustAnchor(home, readFileSync(join(KEYS, 'sdk-test-key.pub.pem'), 'utf8'), 'sdk.pem')
    const store = loadTrustStore(home, {includeSdkTestKey: false, createDevKey: false})
    expect(store.anchors.map((a) => `${a.kind}:${a.name}`)).toEqual(['public-key:sdk.pem', 'certificate:signer.pem'])
    expect(existsSync(join(home, 'keys'))).toBe(false)
    const signer = signingKeyFromPem(
      readFileSync(join(KEYS, 'test-signer.key.pem'), 'utf8') +
        readFileSync(join(KEYS, 'test-signer.cert.pem'), 'utf8'),
    )
    expect(verifyImagePackage(smallPackage(signer), store)).toMatchObject({
      ok: true,
      anchor: 'signer.pem',
      thumbprintMatches: true,
    })
  })

  it('rejects material that is not an ECDSA key or certificate', () => {
    expect(sphereError(() => trustAnchorFromPem('hello', 'x.pem')).code).toBe('KEY_INVALID')
    expect(sphereError(() => trustAnchorFromPem(new Uint8Array([1, 2, 3]), 'x.der')).code).toBe('KEY_INVALID')
    expect(
      sphereError(() => signingKeyFromPem(readFileSync(join(KEYS, 'rsa.key.pem'), 'utf8'), 'rsa.pem')).message,
    ).toMatch(/^rsa\.pem: expected an ECDSA P-256/)
    const other = newKey().privateKey.export({type: 'pkcs8', format: 'pem'}) as string
    expect(
      sphereError(() => signingKeyFromPem(other + readFileSync(join(KEYS, 'test-signer.cert.pem'), 'utf8'), 'mix'))
        .message,
    ).toMatch(/does not belong to the private key/)
  })

  it('DER certificates and public keys work too', () => {
    const cert = trustAnchorFromPem(readFileSync(join(KEYS, 'test-signer.cert.der')), 'c.der')
    expect(cert.kind).toBe('certificate')
    const pub = trustAnchorFromPem(readFileSync(join(KEYS, 'test-signer.pub.pem')), 'p.pem')
    expect(pub.kind).toBe('public-key')
    expect(pub.publicKey.equals(cert.publicKey)).toBe(true)
  })
})
