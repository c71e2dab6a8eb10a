#!/usr/bin/env node
// Long-running fuzzer for the image layer (over dist/: run `npm run build` first).
//   node bench/fuzz-image.js [count=200000] [seed=random] [--out DIR]
// Feeds mutated image packages, ASXipFS images, metadata blocks, manifests and hardware definitions
// to the parsers. Only SphereError may escape; anything else is a crash: the input is saved to DIR
// (default: a temp dir) and the run exits 1 after printing the seed and iteration to reproduce it.
import {generateKeyPairSync} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const img = await import(join(root, 'dist', 'image', 'index.js'))
const {SphereError} = await import(join(root, 'dist', 'util', 'errors.js'))

const args = process.argv.slice(2)
const outIdx = args.indexOf('--out')
const outDir = outIdx >= 0 ? args.splice(outIdx, 2)[1] : undefined
const count = Math.max(1, Number(args[0] ?? 200000) | 0)
const seed = Number(args[1] ?? Math.floor(Math.random() * 2 ** 31)) >>> 0

// xorshift32: reproducible from the seed
let s = seed || 1
const rnd = () => {
  s ^= s << 13
  s >>>= 0
  s ^= s >>> 17
  s ^= s << 5
  s >>>= 0
  return s
}
const below = (n) => (n <= 0 ? 0 : rnd() % n)
const pick = (a) => a[below(a.length)]

const {privateKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
const key = img.signingKeyFromPem(privateKey.export({type: 'pkcs8', format: 'pem'}), 'fuzz')
const trust = [{name: 'fuzz', kind: 'public-key', publicKey: key.publicKey, thumbprint: img.toHex(key.thumbprint)}]
const manifest = {
  SchemaVersion: 1,
  Name: 'Fuzz',
  ComponentId: '1689d8b2-c835-2e27-27ad-e894d6d15fa9',
  EntryPoint: '/bin/app',
  CmdArgs: [],
  Capabilities: {Gpio: [8], Uart: ['ISU0'], MutableStorage: {SizeKB: 8}},
  ApplicationType: 'Default',
}
const real = new Uint8Array(
  readFileSync(join(root, 'test/fixtures/image/anvil-azure-sphere-re/tools/fuzzers/templates/test_app.imagepackage')),
)
const packages = [
  real,
  img.packApplication({manifest, files: {'bin/app': new Uint8Array(64).fill(1)}, key}),
  img.packApplication({
    manifest,
    files: {
      'bin/app': new Uint8Array(5000).fill(2),
      'a/b/c': new Uint8Array(3),
      'a/d': new Uint8Array(0),
      'z/y': new Uint8Array(4096),
    },
    key,
  }),
]
const hwChip = JSON.stringify({
  Metadata: {Type: 'Azure Sphere Hardware Definition', Version: 1},
  Peripherals: [
    {Name: 'C_GPIO1', Type: 'Gpio', MainCoreHeaderValue: '(1)', AppManifestValue: 1},
    {Name: 'C_UART', Type: 'Uart', MainCoreHeaderValue: '(4)', AppManifestValue: 'ISU0'},
  ],
})
const hwBoard = JSON.stringify({
  Metadata: {Type: 'Azure Sphere Hardware Definition', Version: 1},
  Imports: [{Path: 'chip.json'}],
  Peripherals: [{Name: 'LED', Type: 'Gpio', Mapping: 'C_GPIO1', Comment: 'led'}],
})
const manifestText = JSON.stringify(manifest, null, 2)

const interesting = [0, 1, 4, 0x24, 0x4c, 0xff, 0x1000, 0xffff, 0x10000, 0x7fffffff, 0xffffffff]
function mutateBytes(b0) {
  let b = b0.slice()
  const n = 1 + below(4)
  for (let i = 0; i < n && b.length; i++) {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
    switch (below(6)) {
      case 0:
        b[below(b.length)] ^= 1 + below(255)
        break
      case 1: {
        const o = below(b.length - 3) & ~3
        if (o + 4 <= b.length) dv.setUint32(o, below(3) ? pick(interesting) : rnd(), true)
        break
      }
      case 2:
        b = b.slice(0, below(b.length))
        break
      case 3: {
        const o = below(b.length)
        const end = Math.min(b.length, o + 1 + below(300))
        const c = new Uint8Array(b.length - (end - o))
        c.set(b.subarray(0, o))
        c.set(b.subarray(end), o)
        b = c
        break
      }
      case 4: {
        const from = below(b.length)
        const to = below(b.length)
        b.copyWithin(to, from, from + 1 + below(64))
        break
      }
      default: {
        const extra = new Uint8Array(below(64)).map(() => rnd() & 0xff)
        const c = new Uint8Array(b.length + extra.length)
        c.set(b)
        c.set(extra, b.length)
        b = c
      }
    }
  }
  if (below(2) && b.length >= 76) {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
    const size = dv.getUint32(4, true)
    if (size >= 0x24 && size <= b.length) {
      dv.setUint32(0x20, 0, true)
      dv.setUint32(0x20, img.crc32(b.subarray(0, size)), true)
    }
  }
  return b
}
const tokens = ['"', '{', '}', '[', ']', ',', ':', '\\', '\\u00', '1e999', 'null', '"$LED"', '\u0000', '""', 'true']
function mutateText(t) {
  const n = 1 + below(3)
  for (let i = 0; i < n; i++) {
    const at = below(t.length)
    const k = below(3)
    if (k === 0) t = t.slice(0, at) + pick(tokens) + t.slice(at + below(8))
    else if (k === 1) t = t.slice(0, at) + t.slice(at + 1 + below(8))
    else t = t.slice(0, at) + t.slice(at, at + below(16)) + t.slice(at)
  }
  return t
}

const enc = (x) => new TextEncoder().encode(x)
const targets = [
  [
    'package',
    () => mutateBytes(pick(packages)),
    (b) => {
      img.parseImagePackage(b)
      img.verifyImagePackage(b, trust)
    },
  ],
  ['asxipfs', () => mutateBytes(pick(packages).subarray(0, 0x3000)), (b) => img.readAsxipfs(b)],
  [
    'metadata',
    () => {
      const p = pick(packages)
      const len = new DataView(p.buffer, p.byteOffset).getUint32(p.length - 68, true)
      return mutateBytes(p.subarray(p.length - 64 - len, p.length - 64))
    },
    (b) => img.parseMetadata(b),
  ],
  ['manifest', () => enc(mutateText(manifestText)), (b) => img.parseManifest(b)],
  [
    'hwdef',
    () => enc(mutateText(below(2) ? hwBoard : hwChip)),
    (b) => {
      const d = img.parseHardwareDefinition(b, {'chip.json': enc(hwChip)}, 'board.json')
      img.generateHeader(d)
    },
  ],
]

const stats = Object.fromEntries(targets.map(([n]) => [n, {runs: 0, accepted: 0, rejected: 0}]))
const t0 = performance.now()
for (let i = 0; i < count; i++) {
  const [name, gen, run] = targets[i % targets.length]
  const input = gen()
  try {
    run(input)
    stats[name].accepted++
  } catch (e) {
    if (!(e instanceof SphereError) || /[\r\n]/.test(e.message)) {
      const dir = outDir ?? mkdtempSync(join(tmpdir(), 'sphere-fuzz-'))
      mkdirSync(dir, {recursive: true})
      const file = join(dir, `crash-${name}-${seed}-${i}.bin`)
      writeFileSync(file, input)
      console.error(`CRASH in ${name} at iteration ${i} (seed ${seed}): ${e && e.stack ? e.stack : e}`)
      console.error(`input saved to ${file}; reproduce with: node bench/fuzz-image.js ${i + 1} ${seed}`)
      process.exit(1)
    }
    stats[name].rejected++
  }
  stats[name].runs++
}
const secs = (performance.now() - t0) / 1000
console.log(
  JSON.stringify(
    {seed, count, seconds: Number(secs.toFixed(1)), perSecond: Math.round(count / secs), crashes: 0, targets: stats},
    null,
    2,
  ),
)
