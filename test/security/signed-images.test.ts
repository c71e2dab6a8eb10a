/**
 * Signed images: tampered, truncated, re-signed with an untrusted key, unsigned, carrying a symlink, naming
 * another component in the manifest, or older than the installed image (downgrade) — each is refused before
 * any byte of the device state changes (checked by hashing the whole state directory), and the installed app
 * keeps running.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {createHash, generateKeyPairSync, sign} from 'node:crypto'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {
  crc32,
  packApplication,
  parseImagePackage,
  readAsxipfs,
  signImagePackage,
  signingKeyFromPem,
  trustAnchorFromPem,
  type AppManifest,
  type SigningKey,
  type TrustAnchor,
} from '../../src/image/index.js'
import {Device} from '../../src/os/index.js'
import {CACHE_DIR, tempDir, wat} from '../os/helpers.js'

const CID = '5ec0de00-0000-4000-8000-000000000001'
const OTHER = '5ec0de00-0000-4000-8000-000000000002'
const V1 = 1_700_000_000

function makeKey(name: string): {key: SigningKey; anchor: TrustAnchor} {
  const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  return {
    key: signingKeyFromPem(privateKey.export({type: 'pkcs8', format: 'pem'}).toString(), name),
    anchor: trustAnchorFromPem(publicKey.export({type: 'spki', format: 'pem'}).toString(), name),
  }
}

const trusted = makeKey('trusted')
const rogue = makeKey('rogue')
let wasm: Uint8Array

function manifest(cid = CID, name = 'Signed'): AppManifest {
  return {
    SchemaVersion: 1,
    Name: name,
    ComponentId: cid,
    EntryPoint: '/bin/app',
    CmdArgs: [],
    Capabilities: {},
    ApplicationType: 'Default',
  }
}

function pack(
  opts: {buildDate?: number; key?: SigningKey; files?: Record<string, Uint8Array>; m?: AppManifest} = {},
): Uint8Array {
  return packApplication({
    manifest: opts.m ?? manifest(),
    files: {'bin/app': wasm, ...opts.files},
    buildDate: opts.buildDate ?? V1,
    ...(opts.key === undefined ? {key: trusted.key} : {key: opts.key}),
  })
}

/** Re-sign raw bytes (which may no longer parse) with the trusted key, as a key holder could. */
function resignRaw(bytes: Uint8Array, key: SigningKey): Uint8Array {
  const unsigned = bytes.subarray(0, bytes.length - 64)
  const sig = sign('sha256', unsigned, {key: key.privateKey, dsaEncoding: 'ieee-p1363'})
  const out = new Uint8Array(bytes.length)
  out.set(unsigned)
  out.set(sig, unsigned.length)
  return out
}

/** sha256 of every file under the state directory but the app logs (the "no byte installed" witness). */
function stateHash(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f)
      if (statSync(p).isDirectory()) walk(p)
      else if (!relative(dir, p).startsWith('logs'))
        out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex')
    }
  }
  walk(dir)
  return out
}

let tmp: {dir: string; cleanup: () => void}
let dev: Device
let stateDir: string

beforeAll(async () => {
  wasm = await wat('blink')
  tmp = tempDir('sphere-sec-img-')
  stateDir = join(tmp.dir, 'state')
  dev = await Device.boot({stateDir, clock: 'fast-forward', cacheDir: CACHE_DIR, trust: [trusted.anchor]})
  const st = await dev.installPackage(pack({m: {...manifest(), Capabilities: {Gpio: [8]}}}))
  expect(st.state).toBe('running')
  await dev.runFor(100)
})
afterAll(async () => {
  await dev.shutdown()
  tmp.cleanup()
})

/** Install must fail with `code` and leave the state directory byte-for-byte as it was. */
async function refused(bytes: Uint8Array, code: string | RegExp): Promise<void> {
  const before = stateHash(stateDir)
  const imagesBefore = JSON.stringify(dev.listImages())
  let err: {code?: string} | undefined
  try {
    await dev.installPackage(bytes)
  } catch (e) {
    err = e as {code?: string}
  }
  expect(err).toBeDefined()
  if (typeof code === 'string') expect(err!.code).toBe(code)
  else expect(err!.code).toMatch(code)
  expect(stateHash(stateDir)).toEqual(before)
  expect(JSON.stringify(dev.listImages())).toBe(imagesBefore)
  expect(dev.appStatus(CID).state).toBe('running')
}

describe('image packages are refused before any byte is installed', () => {
  test('tampered: one flipped bit in the app, the manifest, the metadata or the signature', async () => {
    const good = pack({buildDate: V1 + 10})
    const pkg = parseImagePackage(good)
    const appOffset = pkg.filesystem!.entries.find((e) => e.path === 'bin/app')!.offset
    const manifestOffset = pkg.filesystem!.entries.find((e) => e.path === 'app_manifest.json')!.offset
    for (const at of [
      appOffset + 40,
      manifestOffset + 5,
      pkg.metadata.offset + 30,
      good.length - 10,
      good.length - 40,
    ]) {
      const bad = good.slice()
      bad[at]! ^= 0x01
      await refused(bad, /^IMAGE_/)
    }
  })

  test('truncated at any of 40 points', async () => {
    const good = pack({buildDate: V1 + 11})
    for (let i = 0; i < 40; i++) await refused(good.subarray(0, Math.floor((good.length * i) / 40)), /^IMAGE_/)
    await refused(good.subarray(0, good.length - 1), /^IMAGE_/)
  })

  test('re-signed with an untrusted key (its own thumbprint or the trusted thumbprint), or not signed at all', async () => {
    const good = pack({buildDate: V1 + 12})
    await refused(signImagePackage(good, rogue.key), 'IMAGE_BAD_SIGNATURE')
    // keep the trusted key's thumbprint in the Signature section, sign with the rogue key
    await refused(resignRaw(good, rogue.key), 'IMAGE_BAD_SIGNATURE')
    await refused(
      pack({buildDate: V1 + 12, key: undefined as unknown as SigningKey}).map((b, i, a) =>
        i >= a.length - 64 ? 0 : b,
      ),
      /^IMAGE_(UNSIGNED|BAD_SIGNATURE)$/,
    )
  })

  test('a trusted signature does not make a symlink inside the package acceptable', async () => {
    const good = pack({buildDate: V1 + 13, files: {'data/link': new TextEncoder().encode('/etc/passwd')}})
    const pkg = parseImagePackage(good)
    const fsEnd = pkg.filesystem!.superblock.size
    const fs = good.slice(0, fsEnd)
    const ino = readAsxipfs(fs).entries.find((e) => e.path === 'data/link')!.inodeOffset
    const dv = new DataView(fs.buffer)
    dv.setUint16(ino, 0o120777, true) // S_IFLNK
    dv.setUint32(0x20, 0, true)
    dv.setUint32(0x20, crc32(fs), true)
    const bad = good.slice()
    bad.set(fs, 0)
    await refused(resignRaw(bad, trusted.key), 'IMAGE_BAD_INODE')
  })

  test('wrong component ID: the signed manifest names another app (an update aimed at someone else)', async () => {
    const wrong = new TextEncoder().encode(JSON.stringify(manifest(OTHER, 'Hijack')))
    await refused(pack({buildDate: V1 + 14, files: {'app_manifest.json': wrong}}), 'IMAGE_COMPONENT_MISMATCH')
  })

  test('downgrade: an older build of the same component is refused; the same build and a newer one install', async () => {
    await refused(pack({buildDate: V1 - 1}), 'IMAGE_DOWNGRADE')
    await refused(pack({buildDate: 0}), 'IMAGE_DOWNGRADE')
    expect((await dev.installPackage(pack({buildDate: V1, m: {...manifest(), Capabilities: {Gpio: [8]}}}))).state).toBe(
      'running',
    )
    expect(
      (await dev.installPackage(pack({buildDate: V1 + 100, m: {...manifest(), Capabilities: {Gpio: [8]}}}))).state,
    ).toBe('running')
    expect(dev.apps.installed().find((r) => r.componentId === CID)?.version).toBe(V1 + 100)
    await refused(pack({buildDate: V1 + 99}), 'IMAGE_DOWNGRADE')
    // the version survives a reboot (it is in the committed record)
    await dev.shutdown()
    dev = await Device.boot({stateDir, clock: 'fast-forward', cacheDir: CACHE_DIR, trust: [trusted.anchor]})
    await refused(pack({buildDate: V1 + 1}), 'IMAGE_DOWNGRADE')
    // another component is not affected by this one's version
    expect((await dev.installPackage(pack({buildDate: 1, m: manifest(OTHER, 'Other')}))).state).toBe('running')
  })
})
