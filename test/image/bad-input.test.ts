import {describe, expect, it} from '@jest/globals'
import {
  crc32,
  packApplication,
  parseImagePackage,
  parseManifest,
  parseHardwareDefinition,
  parseMetadata,
  readAsxipfs,
  writeAsxipfs,
  encodeMetadata,
  verifyImagePackage,
  toHex,
} from '../../src/image/index.js'
import {newKey, setU16, setU32, smallPackage, sphereError, testManifest, u32} from './helpers.js'

const key = newKey()
const good = smallPackage(key)
const FS = 0x3000

/** Recomputes the ASXipFS CRC after an edit, so the edit itself is what the parser sees. */
function fixCrc(b: Uint8Array): Uint8Array {
  const size = u32(b, 4)
  setU32(b, 0x20, 0)
  setU32(b, 0x20, crc32(b.subarray(0, size)))
  return b
}

describe('bad image packages give one clear one-line SphereError', () => {
  it('empty and truncated files', () => {
    expect(sphereError(() => parseImagePackage(new Uint8Array(0))).code).toBe('IMAGE_TRUNCATED')
    expect(sphereError(() => parseImagePackage(good.subarray(0, 10))).code).toBe('IMAGE_TRUNCATED')
    for (const n of [good.length - 1, good.length - 64, FS + 20, FS, 4096, 100]) {
      const e = sphereError(() => parseImagePackage(good.subarray(0, n)))
      expect(e.code).toMatch(/^IMAGE_(TRUNCATED|BAD_METADATA)$/)
    }
  })

  it('wrong ASXipFS magic', () => {
    const b = good.slice()
    b[0] = 0
    const e = sphereError(() => parseImagePackage(b))
    expect(e.code).toBe('IMAGE_BAD_MAGIC')
    expect(e.message).toMatch(/bad magic 0x28CD3D00/)
  })

  it('wrong metadata magic', () => {
    const b = good.slice()
    b[FS] = 0x35
    const e = sphereError(() => parseImagePackage(b))
    expect(e.code).toBe('IMAGE_BAD_METADATA')
    expect(e.message).toMatch(/4X4M/)
  })

  it('bad CRC', () => {
    const b = good.slice()
    b[0x2000] = (b[0x2000] as number) ^ 1 // a byte of bin/app
    const e = sphereError(() => parseImagePackage(b))
    expect(e.code).toBe('IMAGE_BAD_CRC')
    expect(e.message).toMatch(/^ASXipFS: CRC mismatch \(stored 0x[0-9A-F]{8}, computed 0x[0-9A-F]{8}\)$/)
    expect(
      verifyImagePackage(b, [
        {name: 'k', kind: 'public-key', publicKey: key.publicKey, thumbprint: toHex(key.thumbprint)},
      ]),
    ).toMatchObject({ok: false, code: 'IMAGE_BAD_CRC'})
  })

  it('overlapping inodes: two files sharing data, a directory table inside file data, a directory loop', () => {
    const a = good.slice()
    setU32(a, 0x7c + 8, (u32(a, 0x7c + 8) & 0x3f) | ((0x1000 / 4) << 6)) // bin/app data -> app_manifest.json's page
    expect(sphereError(() => parseImagePackage(fixCrc(a))).code).toBe('IMAGE_OVERLAP')
    const b = good.slice()
    setU32(b, 0x6c + 8, (u32(b, 0x6c + 8) & 0x3f) | ((0x2000 / 4) << 6)) // bin's table -> inside bin/app data... of size 16
    const eb = sphereError(() => parseImagePackage(fixCrc(b)))
    expect(eb.code).toMatch(/^IMAGE_(OVERLAP|BAD_NAME|BAD_INODE)$/)
    const c = good.slice()
    setU32(c, 0x6c + 8, (u32(c, 0x6c + 8) & 0x3f) | ((0x4c / 4) << 6)) // bin's table -> the root table: a loop
    setU32(c, 0x6c + 4, 0x30)
    const ec = sphereError(() => parseImagePackage(fixCrc(c)))
    expect(ec.code).toBe('IMAGE_OVERLAP')
    expect(ec.message).toMatch(/loop|overlaps/)
  })

  it('file data or directory tables past the end of the file system', () => {
    const a = good.slice()
    setU32(a, 0x7c + 4, 0x100000) // bin/app size 1 MiB
    expect(sphereError(() => parseImagePackage(fixCrc(a))).message).toMatch(
      /data of "bin\/app" .* lies outside the file system/,
    )
    const b = good.slice()
    setU32(b, 0x44, 0xfff0) // root table size
    expect(sphereError(() => parseImagePackage(fixCrc(b))).code).toBe('IMAGE_BAD_INODE')
    const c = good.slice()
    setU32(c, 4, 0x100000) // superblock size past the input
    expect(sphereError(() => parseImagePackage(c)).message).toMatch(/superblock size/)
  })

  it("names with '..', '/', '.', NUL or control characters, and duplicate or unsorted names", () => {
    const rename = (at: number, name: string) => {
      const b = good.slice()
      const bytes = new Uint8Array(4)
      bytes.set(Buffer.from(name, 'latin1'))
      b.set(bytes, at)
      return fixCrc(b)
    }
    // 'bin' at 0x78 (4 bytes), 'app' at 0x88
    expect(sphereError(() => parseImagePackage(rename(0x78, '..'))).message).toMatch(/"\.\." is not allowed/)
    expect(sphereError(() => parseImagePackage(rename(0x88, '.'))).message).toMatch(/"\." is not allowed/)
    expect(sphereError(() => parseImagePackage(rename(0x88, 'a/b'))).message).toMatch(/contains '\/'/)
    expect(sphereError(() => parseImagePackage(rename(0x88, 'a\u0001'))).message).toMatch(/control character/)
    expect(sphereError(() => parseImagePackage(rename(0x88, 'a\0b'))).message).toMatch(/NUL/)
    expect(sphereError(() => parseImagePackage(rename(0x78, 'aaa'))).message).toMatch(/not sorted/)
    // packing refuses the same names
    for (const p of ['../etc/passwd', 'bin/../x', 'a//b', './a', 'a\\b', '']) {
      expect(
        sphereError(() =>
          packApplication({
            manifest: testManifest(),
            files: {'bin/app': new Uint8Array(1), [p]: new Uint8Array(1)},
            key,
          }),
        ).code,
      ).toBe('IMAGE_BAD_NAME')
    }
    expect(sphereError(() => writeAsxipfs({a: new Uint8Array(1), 'a/b': new Uint8Array(1)})).code).toBe(
      'IMAGE_BAD_NAME',
    )
  })

  it('device nodes and symbolic links are refused', () => {
    const b = good.slice()
    setU16(b, 0x7c, 0o020644) // bin/app -> character device
    expect(sphereError(() => parseImagePackage(fixCrc(b))).message).toMatch(/"bin\/app" is a device node/)
    const c = good.slice()
    setU16(c, 0x7c, 0o120777)
    expect(sphereError(() => parseImagePackage(fixCrc(c))).message).toMatch(/symbolic link/)
  })

  it('section lengths past the end, bad section sizes, duplicate sections, bad trailer', () => {
    const md = good.slice(FS, good.length - 64)
    const a = md.slice()
    setU16(a, 8 + 2, 0x4000) // ID length
    expect(sphereError(() => parseMetadata(a)).message).toMatch(/section ID length 16384 .* runs past the end/)
    const b = md.slice()
    setU32(b, 4, 200) // section count
    expect(sphereError(() => parseMetadata(b)).code).toMatch(/^IMAGE_BAD_(METADATA|SECTION)$/)
    const c = md.slice()
    setU32(c, c.length - 4, 0x93)
    expect(sphereError(() => parseMetadata(c)).message).toMatch(/trailing length 147/)
    const dup = encodeMetadata([
      {id: 0x4449, data: new Uint8Array(36)},
      {id: 0x4449, data: new Uint8Array(36)},
    ])
    expect(sphereError(() => parseMetadata(dup)).message).toMatch(/duplicate Identity section/)
    const short = encodeMetadata([{id: 0x4449, data: new Uint8Array(30)}])
    expect(sphereError(() => parseMetadata(short)).message).toMatch(/Identity section is 30 bytes \(expected 36\)/)
    const abi = encodeMetadata([{id: 0x444e, data: new Uint8Array([5, 0, 0, 0])}])
    expect(sphereError(() => parseMetadata(abi)).message).toMatch(/says 5 entries/)
    // the package-level length word pointing before the start
    const d = good.slice()
    setU32(d, d.length - 68, 0xffffff00)
    expect(sphereError(() => parseImagePackage(d)).code).toBe('IMAGE_BAD_METADATA')
  })

  it('unknown sections are kept raw, documented ones decoded', () => {
    const md = parseMetadata(
      encodeMetadata([
        {id: 0x4449, data: new Uint8Array(36)},
        {id: 0x5652, data: new Uint8Array([7, 0, 0, 0])},
        {id: 0x4d43, data: new Uint8Array([0, 16, 0, 0, 1, 0, 0, 0])},
        {id: 0x5049, data: new Uint8Array([3, 0, 0, 0])},
        {id: 0x4f52, data: new Uint8Array([0, 0, 1, 0])},
        {id: 0x504e, data: new Uint8Array([1, 0, 0, 0, 22, 0, 0, 0, 2, 0, 0, 0])},
        {id: 0x5a5a, data: new Uint8Array([1, 2, 3])},
      ]),
    )
    expect(md.revocation).toEqual({securityVersion: 7})
    expect(md.compression).toEqual({uncompressedSize: 4096, type: 1, typeName: 'Lzma'})
    expect(md.imagePolicy).toEqual({flags: 3, invalidateFromNormalWorld: true, sideloadFromNormalWorld: true})
    expect(md.requiredFlashOffset).toEqual({offset: 0x10000})
    expect(md.abiProvides).toEqual([{version: 22, type: 2, typeName: 'OSRuntime'}])
    expect(md.sections.map((s) => s.tag)).toEqual(['ID', 'RV', 'CM', 'IP', 'RO', 'NP', 'ZZ'])
    expect(md.sections[6]?.name).toBe('Unknown (ZZ)')
  })

  it('an ASXipFS image on its own: bad flags, wrong inode count', () => {
    const fs = writeAsxipfs({x: new Uint8Array(3)})
    expect(readAsxipfs(fs).files.get('x')).toEqual(new Uint8Array(3))
    const a = fs.slice()
    setU32(a, 8, 0x10003)
    expect(sphereError(() => readAsxipfs(fixCrc(a))).message).toMatch(/unsupported flags/)
    const b = fs.slice()
    setU32(b, 0x2c, 9)
    expect(sphereError(() => readAsxipfs(fixCrc(b))).message).toMatch(/counts 9 inodes but the tree has 2/)
  })

  it('oversize files cannot be packed', () => {
    expect(sphereError(() => writeAsxipfs({big: new Uint8Array(0x1000000)})).code).toBe('IMAGE_TOO_LARGE')
  })
})

describe('bad manifests and hardware definitions', () => {
  it('oversize manifests', () => {
    const big = JSON.stringify({...testManifest(), CmdArgs: Array.from({length: 800}, () => 'x'.repeat(100))})
    const e = sphereError(() => parseManifest(big))
    expect(e.code).toBe('MANIFEST_TOO_LARGE')
    expect(e.message).toMatch(/exceeds the 65536-character limit/)
    expect(sphereError(() => parseManifest(new TextEncoder().encode(big))).code).toBe('MANIFEST_TOO_LARGE')
  })

  it('duplicate JSON keys', () => {
    const text = '{\n  "SchemaVersion": 1,\n  "Name": "a",\n  "Name": "b"\n}'
    const e = sphereError(() => parseManifest(text))
    expect(e.code).toBe('MANIFEST_INVALID')
    expect(e.message).toBe('app_manifest.json: duplicate key "Name" at line 4, column 3')
    const hw =
      '{"Metadata": {"Type": "Azure Sphere Hardware Definition", "Version": 1, "Version": 1}, "Peripherals": []}'
    expect(sphereError(() => parseHardwareDefinition(new TextEncoder().encode(hw))).message).toMatch(
      /duplicate key "Version"/,
    )
  })

  it('a package whose manifest is broken still parses, with manifestError', () => {
    const b = packApplication({
      manifest: testManifest(),
      files: {
        'bin/app': new Uint8Array(1),
        'app_manifest.json': new TextEncoder().encode('{"SchemaVersion": 1, "SchemaVersion": 1}'),
      },
      key,
    })
    const p = parseImagePackage(b)
    expect(p.manifest).toBeUndefined()
    expect(p.manifestError).toMatch(/duplicate key "SchemaVersion"/)
  })

  it('the EntryPoint must be packaged', () => {
    expect(
      sphereError(() => packApplication({manifest: testManifest(), files: {'bin/other': new Uint8Array(1)}, key})).code,
    ).toBe('IMAGE_MISSING_ENTRYPOINT')
  })
})
