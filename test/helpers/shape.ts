/**
 * Checks a JSON value against a shape of test/fixtures/cli/shapes.json (the notation is described in that file):
 * types and keys, not values. Returns the problems, one line each naming the path; and records every shape path a
 * value was seen at, so a test can demand that each part of a shape was exercised (an empty array checks nothing).
 */
export type Shape = string | Shape[] | {[key: string]: Shape}

const FORMATS: Record<string, RegExp> = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  hex128upper: /^[0-9A-F]{128}$/,
  digits5: /^\d{5}$/,
}

function typeOk(name: string, v: unknown): boolean {
  const [base, format] = name.split(':') as [string, string | undefined]
  let ok: boolean
  switch (base) {
    case 'string':
      ok = typeof v === 'string'
      break
    case 'integer':
      ok = Number.isInteger(v)
      break
    case 'number':
      ok = typeof v === 'number' && Number.isFinite(v)
      break
    case 'boolean':
      ok = typeof v === 'boolean'
      break
    case 'null':
      ok = v === null
      break
    default:
      throw new Error(`shapes.json: unknown type '${name}'`)
  }
  if (ok && format !== undefined) {
    const re = FORMATS[format]
    if (!re) throw new Error(`shapes.json: unknown format '${format}'`)
    ok = re.test(v as string)
  }
  return ok
}

const describeValue = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `${typeof v} ${JSON.stringify(v)}`.slice(0, 60))

export function checkShape(value: unknown, shape: Shape, seen: Set<string> = new Set(), path = '$'): string[] {
  seen.add(path)
  if (typeof shape === 'string') {
    return shape.split('|').some((t) => typeOk(t, value)) ? [] : [`${path}: expected ${shape}, got ${describeValue(value)}`]
  }
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return [`${path}: expected an array, got ${describeValue(value)}`]
    return value.flatMap((item, i) => checkShape(item, shape[0]!, seen, `${path}[]`).map((p) => p.replace(`${path}[]`, `${path}[${i}]`)))
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object, got ${describeValue(value)}`]
  const obj = value as Record<string, unknown>
  const problems: string[] = []
  const {$ours, ...theirs} = shape as {$ours?: Record<string, Shape>} & Record<string, Shape>
  const keys = new Map<string, {shape: Shape; optional: boolean; ours: boolean}>()
  for (const [k, s] of Object.entries(theirs)) keys.set(k.replace(/\?$/, ''), {shape: s, optional: k.endsWith('?'), ours: false})
  for (const [k, s] of Object.entries($ours ?? {})) keys.set(k.replace(/\?$/, ''), {shape: s, optional: k.endsWith('?'), ours: true})
  for (const [k, def] of keys) {
    if (!(k in obj)) {
      if (!def.optional) problems.push(`${path}.${k}: missing`)
      continue
    }
    problems.push(...checkShape(obj[k], def.shape, seen, `${path}.${k}`))
  }
  for (const k of Object.keys(obj)) if (!keys.has(k)) problems.push(`${path}.${k}: a key azsphere does not print (add it under $ours if it is ours)`)
  return problems
}

/** Every path of a shape a value must have been seen at (keys ending in ? excluded). */
export function requiredPaths(shape: Shape, path = '$'): string[] {
  if (typeof shape === 'string') return [path]
  if (Array.isArray(shape)) return [path, ...requiredPaths(shape[0]!, `${path}[]`)]
  const out = [path]
  const {$ours, ...theirs} = shape as {$ours?: Record<string, Shape>} & Record<string, Shape>
  for (const [k, s] of [...Object.entries(theirs), ...Object.entries($ours ?? {})]) {
    if (!k.endsWith('?')) out.push(...requiredPaths(s, `${path}.${k}`))
  }
  return out
}
