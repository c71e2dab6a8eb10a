/**
 * A staged rollout over a fleet, as a cloud deployment runs one: the eligible devices (the fleet, or one group)
 * in a fixed order (a hash of the seed, the image and the device index: the same on every shard layout), stages
 * of cumulative percentages (1, 10, 50, 100), each stage's new devices updated over the air and soaked, and after
 * each stage a health rule (`crashRate > 2%`) over every device updated so far: when it trips the rollout halts
 * and no further device gets the image. Each device's A/B update agent restores the previous image by itself when
 * the new one fails to start; the report names every device that crashed and every one that rolled back.
 */
import {
  seededUnit,
  type MemberSummary,
  type MembersResponse,
  type Metric,
  type RolloutState,
  type Totals,
  type UpdateRequest,
  type UpdateResult,
} from '../protocol/fleet.js'

export type {Metric, RolloutState, Totals} from '../protocol/fleet.js'
import {SphereError} from '../util/errors.js'

/** The control API of one shard, as the rollout uses it. */
export interface ShardLink {
  members(): Promise<MembersResponse>
  update(req: UpdateRequest): Promise<UpdateResult[]>
}

const METRICS: readonly Metric[] = ['crashRate', 'rollbackRate', 'failureRate', 'unreachableRate', 'crashes', 'rollbacks', 'failures', 'unreachable']
type Op = '>' | '>=' | '<' | '<='

export interface HaltRule {
  text: string
  metric: Metric
  op: Op
  /** A rate as a fraction (2% -> 0.02), or a count. */
  threshold: number
}

const bad = (msg: string): SphereError => new SphereError('FLEET_BAD_OPTION', msg, {exit: 2})

/** `crashRate > 2%`, `crashes >= 3`, `rollbackRate > 0.5%`. */
export function parseHaltRule(text: string): HaltRule {
  const m = /^\s*([A-Za-z]+)\s*(>=|<=|>|<)\s*([0-9]+(?:\.[0-9]+)?)\s*(%?)\s*$/.exec(text)
  if (!m || !METRICS.includes(m[1] as Metric))
    throw bad(`Invalid --halt-when '${text}': expected METRIC OP VALUE, e.g. "crashRate > 2%" (metrics: ${METRICS.join(', ')}).`)
  const metric = m[1] as Metric
  const isRate = metric.endsWith('Rate')
  if (isRate !== (m[4] === '%')) throw bad(`Invalid --halt-when '${text}': ${metric} is ${isRate ? 'a rate, given in %' : 'a count, given without %'}.`)
  const threshold = isRate ? Number(m[3]) / 100 : Number(m[3])
  if (isRate && threshold > 1) throw bad(`Invalid --halt-when '${text}': a rate is at most 100%.`)
  return {text: text.trim(), metric, op: m[2] as Op, threshold}
}

/** `1,10,50,100`: rising cumulative percentages ending at 100. */
export function parseStages(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim().replace(/%$/, ''))
  const stages = parts.map(Number)
  if (parts.length === 0 || parts.length > 100 || stages.some((n, i) => !/^\d+(\.\d+)?$/.test(parts[i]!) || n <= 0 || n > 100))
    throw bad(`Invalid --stages '${text}': expected rising percentages such as 1,10,50,100.`)
  for (let i = 1; i < stages.length; i++) if (stages[i]! <= stages[i - 1]!) throw bad(`Invalid --stages '${text}': each stage must be larger than the one before.`)
  if (stages.at(-1) !== 100) throw bad(`Invalid --stages '${text}': the last stage must be 100.`)
  return stages
}

export interface StageReport extends Totals {
  stage: number
  percent: number
  /** Devices updated so far, this stage included. */
  cumulative: number
  /** The rule's metric over every device updated so far, after this stage. */
  metric: {name: Metric; value: number}
  tripped: boolean
  /** The devices this stage updated (fleet indices, ascending). */
  devices: number[]
  crashedDevices: {index: number; deviceId: string; outcome: string}[]
  rolledBackDevices: number[]
  unreachableDevices: number[]
  refusedDevices: {index: number; error: string}[]
}

export interface RolloutReport {
  fleet: string
  image: {componentId: string; imageId: string}
  group: string | null
  rule: string
  stages: StageReport[]
  result: 'completed' | 'halted'
  haltedAtStage: number | null
  totals: Totals
  /** Eligible devices that never got the image (the rollout halted before their stage). */
  notUpdated: number
  /** Every device the rollout reached, by index. */
  devices: UpdateResult[]
}

function zero(): Totals {
  return {targeted: 0, updated: 0, healthy: 0, crashed: 0, rolledBack: 0, powerLost: 0, unreachable: 0, refused: 0}
}

function add(t: Totals, r: UpdateResult): void {
  t.targeted++
  if (r.outcome !== 'unreachable' && r.outcome !== 'refused') t.updated++
  if (r.outcome === 'healthy') t.healthy++
  if (r.crashed) t.crashed++
  if (r.rolledBack) t.rolledBack++
  if (r.powerLost) t.powerLost++
  if (r.outcome === 'unreachable') t.unreachable++
  if (r.outcome === 'refused') t.refused++
}

export function metricValue(t: Totals, m: Metric): number {
  const rate = (n: number, d: number): number => (d === 0 ? 0 : n / d)
  switch (m) {
    case 'crashRate':
      return rate(t.crashed, t.updated)
    case 'rollbackRate':
      return rate(t.rolledBack, t.updated)
    case 'failureRate':
      return rate(t.crashed + t.unreachable + t.refused, t.targeted)
    case 'unreachableRate':
      return rate(t.unreachable, t.targeted)
    case 'crashes':
      return t.crashed
    case 'rollbacks':
      return t.rolledBack
    case 'failures':
      return t.crashed + t.unreachable + t.refused
    case 'unreachable':
      return t.unreachable
  }
}

export function trips(rule: HaltRule, t: Totals): boolean {
  const v = metricValue(t, rule.metric)
  switch (rule.op) {
    case '>':
      return v > rule.threshold
    case '>=':
      return v >= rule.threshold
    case '<':
      return v < rule.threshold
    case '<=':
      return v <= rule.threshold
  }
}

export interface RolloutOptions {
  fleet: string
  seed: string
  links: ShardLink[]
  package: Uint8Array
  image: {componentId: string; imageId: string}
  group?: string
  stages: number[]
  rule: HaltRule
  soakMs: number
  /** Devices per control request (progress granularity). */
  chunk?: number
  onProgress?: (done: number, total: number, stage: number) => void
  /** After every stage (and at the start): where the rollout is, for watchers (the fleet monitor). */
  onState?: (state: RolloutState) => void
}


/** The eligible devices in rollout order. */
export function rolloutOrder(seed: string, image: {componentId: string; imageId: string}, members: MemberSummary[]): number[] {
  return members
    .map((m) => ({i: m.index, u: seededUnit(seed, 'rollout', image.componentId, image.imageId, m.index)}))
    .sort((a, b) => a.u - b.u || a.i - b.i)
    .map((x) => x.i)
}

export async function runRollout(o: RolloutOptions): Promise<RolloutReport> {
  const count = o.links.length
  const lists = await Promise.all(o.links.map((l) => l.members()))
  const all = lists.flatMap((l) => l.members)
  const eligible = o.group ? all.filter((m) => m.tags.includes(o.group!)) : all
  if (eligible.length === 0)
    throw new SphereError('FLEET_EMPTY_GROUP', o.group ? `No device of fleet '${o.fleet}' is in group '${o.group}'.` : `Fleet '${o.fleet}' has no devices.`, {
      suggestions: [`Tag devices with \`sphere fleet tag --name ${o.fleet} --devices 0-9 ${o.group ?? 'GROUP'}\`.`],
    })
  const order = rolloutOrder(o.seed, o.image, eligible)
  const b64 = Buffer.from(o.package).toString('base64')
  const rollout = `${o.image.componentId}/${o.image.imageId}`
  const chunk = o.chunk ?? 25
  const totals = zero()
  const stages: StageReport[] = []
  const devices: UpdateResult[] = []
  let done = 0
  let halted: number | null = null
  const state = (stage: number, result: RolloutState['result']): void =>
    o.onState?.({
      image: o.image,
      rule: o.rule.text,
      stages: o.stages,
      stage,
      result,
      totals: {...totals},
      metric: {name: o.rule.metric, value: metricValue(totals, o.rule.metric)},
      eligible: order.length,
      updatedAt: new Date().toISOString(),
    })
  state(0, 'running')
  for (const [k, percent] of o.stages.entries()) {
    state(k + 1, 'running')
    const upto = Math.ceil((percent / 100) * order.length)
    const batch = order.slice(done, upto)
    // each shard updates its own devices, in rollout order, one request per chunk; shards work in parallel
    const perShard: number[][] = Array.from({length: count}, () => [])
    for (const i of batch) perShard[i % count]!.push(i)
    const results = (
      await Promise.all(
        perShard.map(async (idx, s) => {
          const out: UpdateResult[] = []
          for (let a = 0; a < idx.length; a += chunk) {
            const part = idx.slice(a, a + chunk)
            out.push(...(await o.links[s]!.update({devices: part, package: b64, soakMs: o.soakMs, rollout})))
            o.onProgress?.(done + out.length, order.length, k + 1)
          }
          return out
        }),
      )
    )
      .flat()
      .sort((x, y) => x.index - y.index)
    done = upto
    const st = zero()
    for (const r of results) {
      add(st, r)
      add(totals, r)
      devices.push(r)
    }
    const tripped = trips(o.rule, totals)
    stages.push({
      stage: k + 1,
      percent,
      ...st,
      cumulative: totals.targeted,
      metric: {name: o.rule.metric, value: metricValue(totals, o.rule.metric)},
      tripped,
      devices: results.map((r) => r.index),
      crashedDevices: results.filter((r) => r.crashed).map((r) => ({index: r.index, deviceId: r.deviceId, outcome: r.outcome})),
      rolledBackDevices: results.filter((r) => r.rolledBack).map((r) => r.index),
      unreachableDevices: results.filter((r) => r.outcome === 'unreachable').map((r) => r.index),
      refusedDevices: results.filter((r) => r.outcome === 'refused').map((r) => ({index: r.index, error: r.error ?? ''})),
    })
    if (tripped) {
      halted = k + 1
      break
    }
  }
  state(halted ?? o.stages.length, halted === null ? 'completed' : 'halted')
  devices.sort((x, y) => x.index - y.index)
  return {
    fleet: o.fleet,
    image: o.image,
    group: o.group ?? null,
    rule: o.rule.text,
    stages,
    result: halted === null ? 'completed' : 'halted',
    haltedAtStage: halted,
    totals,
    notUpdated: order.length - done,
    devices,
  }
}
