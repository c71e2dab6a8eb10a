// Device.boot time from a state directory holding three installed apps (goal <= 50 ms), vs bare `node -e 0`
// process start as the baseline ratio.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {median, timeProcess} from './_lib.js'
import {image, loadOs, wat} from './_os.js'

const {Device} = await loadOs()
const dir = mkdtempSync(join(tmpdir(), 'sphere-bench-boot-'))
try {
  const first = await Device.boot({stateDir: dir, clock: 'fast-forward'})
  await first.install(image(1, 'Blink', await wat('blink'), {Gpio: [8]}))
  await first.install(image(2, 'Button', await wat('button'), {Gpio: [12, 15]}))
  await first.install(image(3, 'Victim', await wat('victim'), {MutableStorage: {SizeKB: 8}}))
  await first.shutdown()
  const samples = []
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now()
    const d = await Device.boot({stateDir: dir, clock: 'fast-forward'})
    samples.push(performance.now() - t0)
    await d.shutdown()
  }
  const boot = median(samples)
  const node = median(Array.from({length: 5}, () => timeProcess(process.execPath, ['-e', '0'])))
  console.log(
    `Device.boot (3 apps, warm cache): median ${boot.toFixed(1)} ms, first ${samples[0].toFixed(1)} ms (goal <= 50 ms: ${boot <= 50 ? 'met' : 'NOT met'}); node -e 0 = ${node.toFixed(1)} ms -> ratio ${(boot / node).toFixed(2)}x`,
  )
} finally {
  rmSync(dir, {recursive: true, force: true})
}
