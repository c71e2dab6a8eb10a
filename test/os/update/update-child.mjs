// Child process for test/os/update/kill9.test.ts: boots a device from transpiled sources and runs app and OS
// updates in a loop (bad images that roll back, good ones that are kept, OS images that boot or not, reboots)
// until the parent kills it with SIGKILL.
// argv: <transpiled root> <stateDir> <cacheDir> <good.wasm> <bad.wasm>
import {readFileSync} from 'node:fs'

const [root, stateDir, cacheDir, goodPath, badPath] = process.argv.slice(2)
const {Device} = await import(`${root}/os/device.js`)

const APP = '00000000-0000-0000-0000-0000000000c1'
const good = new Uint8Array(readFileSync(goodPath))
const bad = new Uint8Array(readFileSync(badPath))
const opts = {stateDir, clock: 'fast-forward', cacheDir, trialWindowMs: 2000}

function image(n, ok) {
  const manifest = {SchemaVersion: 1, Name: `${ok ? 'good' : 'bad'}-${n}`, ComponentId: APP, EntryPoint: '/bin/app', Capabilities: {Gpio: [8]}}
  return {
    componentId: APP,
    imageId: `00000000-0000-0000-00c1-${n.toString(16).padStart(12, '0')}`,
    manifest,
    files: new Map([['bin/app', ok ? good : bad]]),
  }
}

let dev = await Device.boot(opts)
if (dev.apps.installed().length === 0) {
  await dev.install(image(0, true))
  await dev.runFor(2500)
}
process.stdout.write('ready\n')
for (let n = 1; ; n++) {
  const ok = n % 2 === 0
  await dev.install(image(n, ok), {ab: true})
  await dev.runFor(ok ? 2500 : 9000)
  if (n % 3 === 0) dev.updates.stageOs(`26.${n}`, {bootable: n % 6 !== 0})
  if (n % 4 === 0) {
    await dev.shutdown()
    dev = await Device.boot(opts)
  }
}
