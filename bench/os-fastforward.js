// 24 h of virtual time for the blink app (LED toggles every 500 ms) in fast-forward mode vs wall time.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {image, loadOs, wat} from './_os.js'

const {Device} = await loadOs()
const dir = mkdtempSync(join(tmpdir(), 'sphere-bench-ff-'))
try {
  const dev = await Device.boot({stateDir: dir, clock: 'fast-forward'})
  let toggles = 0
  dev.subscribe(() => toggles++, ['gpio'])
  await dev.install(image(1, 'Blink', await wat('blink'), {Gpio: [8]}))
  const virtualMs = 24 * 3600 * 1000
  const t0 = performance.now()
  await dev.runFor(virtualMs)
  const wall = performance.now() - t0
  await dev.shutdown()
  const ratio = virtualMs / wall
  console.log(
    `fast-forward: 24 h virtual in ${(wall / 1000).toFixed(2)} s wall, ${toggles} LED toggles -> ${ratio.toFixed(0)}x faster than real time`,
  )
  console.log(`  (${((toggles / wall) * 1000).toFixed(0)} wake-ups/s; expected toggles ${virtualMs / 500 + 1})`)
} finally {
  rmSync(dir, {recursive: true, force: true})
}
