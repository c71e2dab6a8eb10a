// Shared helpers for benches: timing, medians, ratio lines.
import {spawnSync} from 'node:child_process'

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Wall time of one subprocess run, in ms. */
export function timeProcess(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(cmd, args, {stdio: 'ignore', ...opts})
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`)
  return Number(process.hrtime.bigint() - t0) / 1e6
}

/** Print one bench line: name, measured, baseline, ratio and the goal verdict. */
export function report(name, value, baseline, unit, goal) {
  const ratio = value / baseline
  const verdict = goal === undefined ? '' : ratio <= goal ? `  (goal <= ${goal}x: met)` : `  (goal <= ${goal}x: NOT met)`
  console.log(`${name}: ${value.toFixed(1)} ${unit} vs baseline ${baseline.toFixed(1)} ${unit} -> ratio ${ratio.toFixed(2)}x${verdict}`)
  return ratio
}
