import {describe, expect, it} from '@jest/globals'
import {createPublicKey, verify as cryptoVerify, createPrivateKey} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import * as CRC32 from 'crc-32'
import {
  packApplication,
  parseImagePackage,
  verifyImagePackage,
  signImagePackage,
  sdkTestTrustAnchor,
  signingKeyFromPem,
  trustAnchorFromPem,
  parseManifest,
  toHex,
  type SigningKey,
} from '../../src/image/index.js'
import {ANVIL_PACKAGE, KEYS, newKey, readFixture, smallPackage, testManifest, u16, u32} from './helpers.js'

const anchor = (k: SigningKey) => ({
  name: k.name,
  kind: 'public-key' as const,
  publicKey: k.publicKey,
  thumbprint: toHex(k.thumbprint),
})

describe('pack -> parse round trip', () => {
  const key = newKey()
  const files: Record<string, Uint8Array> = {
    'bin/app': new Uint8Array(5000).map((_, i) => (i * 7) & 0xff),
    'bin/helper': new Uint8Array([1, 2, 3]),
    'lib/libx.so': new Uint8Array(4096).fill(0xab), // exactly one page
    'data/nested/deep/config.txt': new TextEncoder().encode('key=value\n'),
    'data/empty': new Uint8Array(0),
    'zzz.bin': new Uint8Array(9000).fill(1),
  }
  const manifest = testManifest()
  const bytes = packApplication({
    manifest,
    files,
    key,
    executables: ['bin/helper'],
    imageId: '0e3d632e-03b1-48e7-a9c2-3f5063ad0870',
    buildDate: 1600000000,
    targetApiSet: '12',
  })
  const pkg = parseImagePackage(bytes)

  it('gives back the identical file tree, plus the minified manifest', () => {
    expect([...pkg.files.keys()].sort()).toEqual([...Object.keys(files), 'app_manifest.json'].sort())
    for (const [p, data] of Object.entries(files))
      expect(Buffer.from(pkg.files.get(p) as Uint8Array).equals(Buffer.from(data))).toBe(true)
    const text = new TextDecoder().decode(pkg.files.get('app_manifest.json'))
    expect(text).toBe(JSON.stringify({...manifest, TargetApplicationRuntimeVersion: 12}))
    expect(text.endsWith('\n')).toBe(false)
    const dirs = pkg.filesystem?.entries.filter((e) => e.type === 'dir').map((e) => e.path)
    expect(dirs).toEqual(['', 'bin', 'data', 'lib', 'data/nested', 'data/nested/deep'])
  })

  it('gives back the manifest, identity and metadata', () => {
    expect(pkg.manifest).toEqual({...manifest, TargetApplicationRuntimeVersion: 12})
    expect(pkg.identity).toEqual({
      imageType: 10,
      imageTypeName: 'Applications',
      componentId: manifest.ComponentId,
      imageId: '0e3d632e-03b1-48e7-a9c2-3f5063ad0870',
    })
    expect(pkg.debug).toEqual({name: 'Blink', buildDateSeconds: 1600000000, buildDate: '2020-09-13T12:26:40.000Z'})
    expect(pkg.temporaryImage).toEqual({flags: 2, removeAtBoot: false, underDevelopment: true})
    expect(pkg.abiDepends).toEqual([{version: 12, type: 3, typeName: 'ApplicationRuntime'}])
    expect(pkg.signature.thumbprint).toBe(toHex(key.thumbprint))
  })

  it('marks the EntryPoint and --executables 0755 and everything else 0644, all with the sticky bit', () => {
    const mode = (p: string) => pkg.filesystem?.entries.find((e) => e.path === p)?.mode
    expect(mode('bin/app')).toBe(0o101755)
    expect(mode('bin/helper')).toBe(0o101755)
    expect(mode('lib/libx.so')).toBe(0o101644)
    expect(mode('app_manifest.json')).toBe(0o101644)
    expect(mode('bin')).toBe(0o040755)
  })

  it('verifies (CRC + signature) against the signing key and not against another', () => {
    const ok = verifyImagePackage(bytes, [anchor(key)])
    expect(ok.ok).toBe(true)
    if (ok.ok) expect(ok.thumbprintMatches).toBe(true)
    const other = verifyImagePackage(bytes, [anchor(newKey())])
    expect(other).toMatchObject({ok: false, code: 'IMAGE_BAD_SIGNATURE'})
  })

  it('real-time apps get an empty ABI Depends section and no TargetApplicationRuntimeVersion', () => {
    const rt = packApplication({
      manifest: testManifest({ApplicationType: 'RealTimeCapable', Capabilities: {}}),
      files: {'bin/app': new Uint8Array([0x7f, 0x45])},
      key,
    })
    const p = parseImagePackage(rt)
    expect(p.abiDepends).toEqual([])
    expect(p.metadata.length).toBe(0x8c)
    expect(p.manifest?.TargetApplicationRuntimeVersion).toBeUndefined()
  })

  it('keeps an explicitly given app_manifest.json byte for byte', () => {
    const raw = new TextEncoder().encode(JSON.stringify(testManifest(), null, 2) + '\n')
    const p = parseImagePackage(
      packApplication({manifest: testManifest(), files: {'bin/app': new Uint8Array(1), 'app_manifest.json': raw}, key}),
    )
    expect(Buffer.from(p.files.get('app_manifest.json') as Uint8Array).equals(Buffer.from(raw))).toBe(true)
  })

  it('without a key makes an unsigned package that verify refuses', () => {
    const unsigned = packApplication({manifest: testManifest(), files: {'bin/app': new Uint8Array(1)}})
    expect(parseImagePackage(unsigned).signature.unsigned).toBe(true)
    expect(verifyImagePackage(unsigned, [anchor(key)])).toMatchObject({ok: false, code: 'IMAGE_UNSIGNED'})
    const signed = signImagePackage(unsigned, key)
    expect(verifyImagePackage(signed, [anchor(key)]).ok).toBe(true)
  })

  it('truncates the Debug name to 31 bytes without splitting a UTF-8 character', () => {
    const name = 'A'.repeat(30) + 'é' + 'tail'
    const p = parseImagePackage(
      packApplication({manifest: testManifest({Name: name}), files: {'bin/app': new Uint8Array(1)}, key}),
    )
    expect(p.debug?.name).toBe('A'.repeat(30))
    expect(p.manifest?.Name).toBe(name)
  })

  it('signs with P-384 keys as signing type ECDsa384 with a 96-byte signature', () => {
    const p384 = signingKeyFromPem(readFileSync(join(KEYS, 'p384.key.pem'), 'utf8'), 'p384')
    const b = packApplication({manifest: testManifest(), files: {'bin/app': new Uint8Array(1)}, key: newKey()})
    const re = signImagePackage(b, p384)
    const p = parseImagePackage(re)
    expect(p.signature.signingType).toBe(2)
    expect(p.signature.bytes.length).toBe(96)
    expect(verifyImagePackage(re, [anchor(p384)]).ok).toBe(true)
  })
})

describe('layout of a package we make, field by field', () => {
  const key = newKey()
  const b = smallPackage(key)
  const manifestText = JSON.stringify({...testManifest(), TargetApplicationRuntimeVersion: 16})

  it('superblock', () => {
    expect(u32(b, 0x00)).toBe(0x28cd3d45)
    expect(u32(b, 0x04)).toBe(0x3000) // fs size: 3 pages
    expect(u32(b, 0x08)).toBe(0x3) // FSID_VERSION_2 | SORTED_DIRS
    expect(u32(b, 0x0c)).toBe(0)
    expect(Buffer.from(b.subarray(0x10, 0x20)).toString('latin1')).toBe('Compressed ROMFS')
    const copy = b.slice(0, 0x3000)
    copy.fill(0, 0x20, 0x24)
    expect(u32(b, 0x20)).toBe(CRC32.buf(copy) >>> 0) // zlib CRC-32 with the field zeroed (independent implementation)
    expect(u32(b, 0x24)).toBe(0) // edition
    expect(u32(b, 0x28)).toBe(0) // blocks: the SDK writes 0
    expect(u32(b, 0x2c)).toBe(4) // root + app_manifest.json + bin + bin/app
    expect(Buffer.from(b.subarray(0x30, 0x40)).toString('latin1')).toBe('Compressed\0\0\0\0\0\0')
  })

  it('inodes and directory tables (root at 0x4C, bin at 0x7C) as real SDK packages have them', () => {
    const inode = (o: number) => ({
      mode: u16(b, o),
      uid: u16(b, o + 2),
      size: u32(b, o + 4) & 0xffffff,
      gid: b[o + 7],
      nameLen: (u32(b, o + 8) & 0x3f) * 4,
      offset: (u32(b, o + 8) >>> 6) * 4,
    })
    expect(inode(0x40)).toEqual({mode: 0o40755, uid: 0, size: 0x30, gid: 0, nameLen: 0, offset: 0x4c})
    expect(inode(0x4c)).toEqual({
      mode: 0o101644,
      uid: 0,
      size: manifestText.length,
      gid: 0,
      nameLen: 20,
      offset: 0x1000,
    })
    expect(Buffer.from(b.subarray(0x58, 0x6c)).toString('latin1')).toBe('app_manifest.json\0\0\0')
    expect(inode(0x6c)).toEqual({mode: 0o40755, uid: 0, size: 0x10, gid: 0, nameLen: 4, offset: 0x7c})
    expect(Buffer.from(b.subarray(0x78, 0x7c)).toString('latin1')).toBe('bin\0')
    expect(inode(0x7c)).toEqual({mode: 0o101755, uid: 0, size: 8, gid: 0, nameLen: 4, offset: 0x2000})
    expect(b.subarray(0x8c, 0x1000).every((x) => x === 0)).toBe(true)
  })

  it('file data is 4096-aligned and zero padded to the page', () => {
    expect(new TextDecoder().decode(b.subarray(0x1000, 0x1000 + manifestText.length))).toBe(manifestText)
    expect(b.subarray(0x1000 + manifestText.length, 0x2000).every((x) => x === 0)).toBe(true)
    expect(b.subarray(0x2008, 0x3000).every((x) => x === 0)).toBe(true)
  })

  it('metadata: 4X4M, sections ID SG DB TP ND, trailer word, then a 64-byte ECDSA P-256 signature', () => {
    const m = 0x3000
    expect(Buffer.from(b.subarray(m, m + 4)).toString('latin1')).toBe('4X4M')
    expect(u32(b, m + 4)).toBe(5)
    const order: string[] = []
    let at = m + 8
    for (let i = 0; i < 5; i++) {
      order.push(`${Buffer.from(b.subarray(at, at + 2)).toString('latin1')}:${u16(b, at + 2)}`)
      at += 4 + u16(b, at + 2)
    }
    expect(order).toEqual(['ID:36', 'SG:24', 'DB:40', 'TP:4', 'ND:12'])
    // Identity: type 10, reserved 0, component then image GUID in .NET byte order
    expect(u16(b, m + 12)).toBe(10)
    expect(toHex(b.subarray(m + 16, m + 32))).toBe('b2d88916' + '35c8' + '272e' + '27ade894d6d15fa9')
    expect(toHex(b.subarray(m + 32, m + 48))).toBe('f4885dc2' + '0099' + '8e4a' + '9d2cafc199c28151')
    // Signature section: thumbprint + type 1
    expect(toHex(b.subarray(m + 52, m + 72))).toBe(toHex(key.thumbprint))
    expect(u32(b, m + 72)).toBe(1)
    // Debug: u64 time, name NUL padded to 32
    expect(u32(b, m + 80)).toBe(1700000000)
    expect(u32(b, m + 84)).toBe(0)
    expect(Buffer.from(b.subarray(m + 88, m + 120)).toString('latin1')).toBe('Blink'.padEnd(32, '\0'))
    expect(u32(b, m + 124)).toBe(2) // TP: UnderDevelopment
    expect([u32(b, m + 132), u32(b, m + 136), u32(b, m + 140)]).toEqual([1, 16, 3]) // ND: ApplicationRuntime 16
    expect(u32(b, m + 144)).toBe(0x94) // trailer: metadata length
    expect(b.length).toBe(0x3000 + 0x94 + 64)
    const sig = b.subarray(b.length - 64)
    expect(
      cryptoVerify('sha256', b.subarray(0, b.length - 64), {key: key.publicKey, dsaEncoding: 'ieee-p1363'}, sig),
    ).toBe(true)
  })
})

describe('a real SDK-built package (anvilsecure/azure-sphere-re test_app.imagepackage)', () => {
  const real = new Uint8Array(readFileSync(ANVIL_PACKAGE))
  const pkg = parseImagePackage(real)

  it('parses: identity, files, manifest, metadata', () => {
    expect(pkg.identity).toEqual({
      imageType: 10,
      imageTypeName: 'Applications',
      componentId: '1689d8b2-c835-2e27-27ad-e894d6d15fa9',
      imageId: 'c25d88f4-9900-4a8e-9d2c-afc199c28151',
    })
    expect(pkg.signature).toMatchObject({
      thumbprint: 'a8d5cc6958f48710140d7a26160fc1cfc31f5df0',
      signingType: 1,
      signingTypeName: 'ECDsa256',
      unsigned: false,
    })
    expect(pkg.debug).toEqual({
      name: 'Anvil Test App',
      buildDateSeconds: 0x5f59a036,
      buildDate: '2020-09-10T03:40:38.000Z',
    })
    expect(pkg.abiDepends).toEqual([{version: 5, type: 3, typeName: 'ApplicationRuntime'}])
    expect(pkg.metadata.sections.map((s) => s.tag)).toEqual(['ID', 'SG', 'DB', 'TP', 'ND'])
    expect([...pkg.files.keys()]).toEqual(['app_manifest.json', 'bin/app'])
    expect(pkg.files.get('bin/app')?.length).toBe(0x46bc)
    expect(Buffer.from(pkg.files.get('bin/app')?.subarray(0, 4) ?? []).toString('latin1')).toBe('\x7fELF')
    expect(pkg.manifest).toMatchObject({
      Name: 'Anvil Test App',
      ApplicationType: 'Default',
      TargetApplicationRuntimeVersion: 5,
      Capabilities: {Uart: ['ISU0'], MutableStorage: {SizeKB: 64}},
    })
  })

  it('verifies with the SDK test public key (as a key file and as the built-in anchor), not with ours', () => {
    expect(
      verifyImagePackage(real, [trustAnchorFromPem(readFileSync(join(KEYS, 'sdk-test-key.pub.pem'), 'utf8'), 'sdk')])
        .ok,
    ).toBe(true)
    const r = verifyImagePackage(real, [anchor(newKey()), sdkTestTrustAnchor()])
    expect(r).toMatchObject({ok: true, anchor: 'Azure Sphere SDK Test', thumbprintMatches: true})
    expect(verifyImagePackage(real, [anchor(newKey())]).ok).toBe(false)
  })

  it('re-packing its files with its ids, date and thumbprint reproduces every byte before the signature', () => {
    const sk = newKey()
    const spoof: SigningKey = {...sk, thumbprint: Buffer.from('a8d5cc6958f48710140d7a26160fc1cfc31f5df0', 'hex')}
    const manifestBytes = pkg.files.get('app_manifest.json') as Uint8Array
    const ours = packApplication({
      manifest: parseManifest(manifestBytes),
      files: {'app_manifest.json': manifestBytes, 'bin/app': pkg.files.get('bin/app') as Uint8Array},
      key: spoof,
      imageId: pkg.identity.imageId,
      buildDate: pkg.debug?.buildDateSeconds as number,
      targetApiSet: '5',
    })
    expect(ours.length).toBe(real.length)
    expect(
      Buffer.from(ours.subarray(0, ours.length - 64)).equals(Buffer.from(real.subarray(0, real.length - 64))),
    ).toBe(true)
  })

  it('re-signing keeps the data and section order and verifies with the new key only', () => {
    const k = signingKeyFromPem(
      readFileSync(join(KEYS, 'test-signer.key.pem'), 'utf8') +
        readFileSync(join(KEYS, 'test-signer.cert.pem'), 'utf8'),
      'signer',
    )
    const re = signImagePackage(real, k)
    expect(re.length).toBe(real.length)
    expect(Buffer.from(re.subarray(0, 0x7000)).equals(Buffer.from(real.subarray(0, 0x7000)))).toBe(true)
    const p = parseImagePackage(re)
    expect(p.metadata.sections.map((s) => s.tag)).toEqual(['ID', 'SG', 'DB', 'TP', 'ND'])
    const cert = trustAnchorFromPem(readFileSync(join(KEYS, 'test-signer.cert.der')), 'cert')
    expect(p.signature.thumbprint).toBe(cert.thumbprint) // SHA-1 of the certificate, as the SDK writes
    expect(verifyImagePackage(re, [cert])).toMatchObject({ok: true, thumbprintMatches: true})
    expect(verifyImagePackage(re, [sdkTestTrustAnchor()]).ok).toBe(false)
  })

  it('the fixture is the published file', () => {
    expect(real.length).toBe(28884)
    expect(readFixture('anvil-azure-sphere-re', 'tools', 'fuzzers', 'LICENSE').length).toBeGreaterThan(100)
  })

  it('rejects signing keys that are not ECDSA', () => {
    expect(() => signingKeyFromPem(readFileSync(join(KEYS, 'rsa.key.pem'), 'utf8'), 'rsa')).toThrow(/ECDSA P-256/)
    expect(createPrivateKey(readFileSync(join(KEYS, 'test-signer.key.pem'))).asymmetricKeyType).toBe('ec')
    expect(createPublicKey(readFileSync(join(KEYS, 'test-signer.pub.pem'))).asymmetricKeyType).toBe('ec')
  })
})
