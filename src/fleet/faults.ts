/**
 * Faults at fleet scale: a fleet scenario file (YAML or JSON) names faults and the share of the fleet each hits.
 *
 *   name: field trial
 *   faults:
 *     - kind: power-loss-during-update   # the power is cut while an update installs
 *       share: 2%
 *     - kind: flaky-link                 # each delivery attempt of an update is lost with this probability
 *       share: 10%
 *       loss: 50%
 *     - kind: bad-sensor                 # world paths set on these devices (docs/world.md, as a scenario's set-world)
 *       share: 5%
 *       world: {gpios.44: 0}
 *     - kind: clock-skew                 # the device's wall clock is off by this much
 *       share: 1%
 *       skew: 2h
 *
 * Which devices a fault hits depends on the fleet's seed and the device's index only: the devices are ranked by a
 * hash of (seed, fault, index) and the first round(share x size) of them have it, so the share is exact and every
 * shard computes the same set.
 */
import {readFileSync} from 'node:fs'
import {parse as parseYaml} from 'yaml'
import {seededUnit} from '../protocol/fleet.js'
import {parseDuration} from '../scenario/scenario.js'
import {SphereError} from '../util/errors.js'

export type FaultKind = 'power-loss-during-update' | 'flaky-link' | 'bad-sensor' | 'clock-skew'
const KINDS: readonly FaultKind[] = ['power-loss-during-update', 'flaky-link', 'bad-sensor', 'clock-skew']

export interface FaultSpec {
  kind: FaultKind
  /** 0..1 */
  share: number
  /** flaky-link: the probability that one delivery attempt is lost (default 0.5). */
  loss?: number
  /** bad-sensor: world paths and values. */
  world?: Record<string, unknown>
  /** clock-skew: ms (may be negative with a leading '-'). */
  skewMs?: number
}

export interface FleetScenario {
  name: string
  faults: FaultSpec[]
}

const NS_PER_MS = 1_000_000

function bad(file: string, msg: string): SphereError {
  return new SphereError('FLEET_BAD_SCENARIO', `${file}: ${msg}`, {exit: 2})
}

/** `5%`, `0.05` -> 0.05 */
export function parseShare(v: unknown): number | undefined {
  if (typeof v === 'number') return v >= 0 && v <= 1 ? v : undefined
  if (typeof v !== 'string') return undefined
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$/.exec(v)
  if (!m) return undefined
  const n = Number(m[1]) / 100
  return n <= 1 ? n : undefined
}

export function parseFleetScenario(text: string, file: string): FleetScenario {
  let doc: unknown
  try {
    doc = parseYaml(text)
  } catch (e) {
    throw bad(file, `not YAML or JSON: ${(e as Error).message.split('\n')[0]}`)
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad(file, 'expected a map with a faults list')
  const d = doc as Record<string, unknown>
  for (const k of Object.keys(d)) if (k !== 'name' && k !== 'faults' && k !== 'description') throw bad(file, `unknown key '${k}'`)
  if (!Array.isArray(d.faults)) throw bad(file, "'faults' must be a list")
  if (d.faults.length > 64) throw bad(file, `at most 64 faults, not ${d.faults.length}`)
  const faults = d.faults.map((f: unknown, i: number): FaultSpec => {
    const at = `faults[${i}]`
    if (typeof f !== 'object' || f === null || Array.isArray(f)) throw bad(file, `${at}: expected a map`)
    const r = f as Record<string, unknown>
    if (!KINDS.includes(r.kind as FaultKind)) throw bad(file, `${at}: kind must be one of ${KINDS.join(', ')}`)
    const kind = r.kind as FaultKind
    const allowed: Record<FaultKind, string[]> = {
      'power-loss-during-update': [],
      'flaky-link': ['loss'],
      'bad-sensor': ['world'],
      'clock-skew': ['skew'],
    }
    for (const k of Object.keys(r))
      if (k !== 'kind' && k !== 'share' && !allowed[kind].includes(k)) throw bad(file, `${at}: '${k}' does not apply to ${kind}`)
    const share = parseShare(r.share)
    if (share === undefined) throw bad(file, `${at}: share must be a percentage (5%) or a fraction 0..1`)
    const spec: FaultSpec = {kind, share}
    if (kind === 'flaky-link') {
      const loss = r.loss === undefined ? 0.5 : parseShare(r.loss)
      if (loss === undefined || loss >= 1) throw bad(file, `${at}: loss must be a percentage below 100%`)
      spec.loss = loss
    }
    if (kind === 'bad-sensor') {
      if (typeof r.world !== 'object' || r.world === null || Array.isArray(r.world) || Object.keys(r.world).length === 0)
        throw bad(file, `${at}: world must map world paths to values, e.g. {gpios.44: 0}`)
      spec.world = r.world as Record<string, unknown>
    }
    if (kind === 'clock-skew') {
      const neg = typeof r.skew === 'string' && r.skew.trim().startsWith('-')
      const ns = parseDuration(neg ? (r.skew as string).trim().slice(1) : r.skew)
      if (ns === undefined) throw bad(file, `${at}: skew must be a duration (2h, -30s)`)
      spec.skewMs = (neg ? -1 : 1) * Math.round(ns / NS_PER_MS)
    }
    return spec
  })
  return {name: typeof d.name === 'string' ? d.name : file, faults}
}

export function readFleetScenario(path: string): FleetScenario {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new SphereError('FLEET_BAD_SCENARIO', `Cannot read the fleet scenario ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      exit: 2,
    })
  }
  return parseFleetScenario(text, path)
}

/** A fault's name as reports show it: `bad-sensor`, or `bad-sensor#2` for the second of a kind. */
export function faultLabels(faults: readonly FaultSpec[]): string[] {
  const seen = new Map<string, number>()
  return faults.map((f) => {
    const n = (seen.get(f.kind) ?? 0) + 1
    seen.set(f.kind, n)
    return n === 1 ? f.kind : `${f.kind}#${n}`
  })
}

/**
 * The devices each fault hits, as sets of fleet indices: exactly round(share x size) devices, the lowest ranked
 * by hash(seed, fault number, kind, index).
 */
export function assignFaults(seed: string, size: number, faults: readonly FaultSpec[]): Set<number>[] {
  return faults.map((f, k) => {
    const want = Math.round(f.share * size)
    if (want === 0) return new Set<number>()
    const ranked = Array.from({length: size}, (_, i) => ({i, u: seededUnit(seed, 'fault', k, f.kind, i)}))
    ranked.sort((a, b) => a.u - b.u || a.i - b.i)
    return new Set(ranked.slice(0, want).map((r) => r.i))
  })
}
