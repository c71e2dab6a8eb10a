// Child process for test/os/crash-consistency.test.ts: boots a device from transpiled sources and
// installs / writes storage in a loop until the parent kills it with SIGKILL.
// argv: <transpiled root> <stateDir> <cacheDir> <app.wasm> <mode: install|write>
import {readFileSync} from 'node:fs'
import {createHash} from 'node:crypto'

const [root, stateDir, cacheDir, wasmPath, mode] = process.argv.slice(2)
const {Device} = await import(`${root}/os/device.js`)
const {MutableStorage} = await import(`${root}/os/storage/mutable-file.js`)

export function content(n) {
  const out = new Uint8Array(4096)
  new DataView(out.buffer).setUint32(0, n, true)
  let off = 4
  let i = 0
  while (off < out.length) {
    const h = createHash('sha256').update(`${n}/${i++}`).digest()
    out.set(h.subarray(0, Math.min(h.length, out.length - off)), off)
    off += h.length
  }
  return out
}

const CID = '00000000-0000-0000-0000-0000000000aa'
const wasm = new Uint8Array(readFileSync(wasmPath))
const dev = await Device.boot({stateDir, clock: 'fast-forward', cacheDir, autostart: false})
process.stdout.write('ready\n')
for (let n = 1; ; n++) {
  if (mode === 'install') {
    const imageId = `00000000-0000-0000-0000-${n.toString(16).padStart(12, '0')}`
    const manifest = {
      SchemaVersion: 1,
      Name: `v${n}`,
      ComponentId: CID,
      EntryPoint: '/bin/app',
      Capabilities: {MutableStorage: {SizeKB: 8}},
    }
    const files = new Map([
      ['bin/app', wasm],
      ['resources/blob', content(n).subarray(0, 1024 + ((n * 977) % 3000))],
    ])
    await dev.install({componentId: CID, imageId, manifest, files}, {start: false})
  } else {
    new MutableStorage(dev.store, CID, 8192).open().write(0, content(n))
  }
  if (n === 1) process.stdout.write('committed\n')
}
