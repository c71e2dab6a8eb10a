/**
 * What a `world press` / `world set` changed: the world state before and after, flattened to dotted paths
 * (`buttons.A.presses`, `leds.LED2_RED.on`, `adc.ADC-CONTROLLER-0.channels.0.volts`) and compared.
 *
 * List entries are named by their `name`, `id`, `isu` or `controller` (and `channel`), so a path stays the same
 * when the list grows. The clock and the pins' activity bookkeeping (change counts, times, rates) move on their
 * own and are left out, as is the level of a pin that blinks before and after (it changes anyway).
 */

export interface WorldChange {
  path: string
  before: unknown
  after: unknown
}

const NOISE = new Set(['virtualTimeMs', 'transitions', 'lastChangeMs', 'periodMs', 'blinkHz'])

/** The name of a list entry, and the fields that make it up (left out of its paths). */
function entryKey(v: unknown, i: number): {key: string; fields: string[]} {
  if (typeof v !== 'object' || v === null) return {key: String(i), fields: []}
  const o = v as Record<string, unknown>
  for (const k of ['name', 'id', 'isu', 'componentId'])
    if (typeof o[k] === 'string' || typeof o[k] === 'number') return {key: String(o[k]), fields: [k]}
  if (o.controller !== undefined)
    return o.channel !== undefined
      ? {key: `${String(o.controller)}.${String(o.channel)}`, fields: ['controller', 'channel']}
      : {key: String(o.controller), fields: ['controller']}
  return {key: String(i), fields: []}
}

function flatten(v: unknown, prefix: string, out: Map<string, unknown>, skip: readonly string[] = []): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      const {key, fields} = entryKey(x, i)
      flatten(x, `${prefix}.${key}`, out, fields)
    })
    if (v.length === 0) out.set(prefix, '[]')
    return
  }
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>
    const blinks = typeof o.blinkHz === 'number'
    for (const [k, x] of Object.entries(o)) {
      if (NOISE.has(k) || skip.includes(k)) continue
      if (blinks && (k === 'on' || k === 'level')) {
        out.set(`${prefix ? prefix + '.' : ''}${k}`, 'blinking')
        continue
      }
      flatten(x, prefix ? `${prefix}.${k}` : k, out)
    }
    return
  }
  out.set(prefix, v)
}

/** The paths whose value differs between two world states, in the order of `after`. */
export function worldChanges(before: unknown, after: unknown): WorldChange[] {
  const a = new Map<string, unknown>()
  const b = new Map<string, unknown>()
  flatten(before, '', a)
  flatten(after, '', b)
  const out: WorldChange[] = []
  for (const [path, v] of b) {
    const old = a.get(path)
    if (JSON.stringify(old) !== JSON.stringify(v)) out.push({path, before: a.has(path) ? old : null, after: v})
  }
  for (const [path, old] of a) if (!b.has(path)) out.push({path, before: old, after: null})
  return out
}
