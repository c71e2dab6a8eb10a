/** Device twin documents: IoT Hub's PATCH semantics (recursive merge, null removes a key) and versions. */

export type Json = null | boolean | number | string | Json[] | {[k: string]: Json}
export type JsonObject = {[k: string]: Json}

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Merge `patch` into `target` in place: objects merge key by key, `null` deletes, anything else replaces. */
export function mergePatch(target: JsonObject, patch: JsonObject): void {
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue // $version, $metadata: the hub's own
    if (v === null) delete target[k]
    else if (isObject(v)) {
      const cur = target[k]
      const into: JsonObject = isObject(cur) ? cur : {}
      mergePatch(into, v)
      target[k] = into
    } else target[k] = v
  }
}

/** A twin property name IoT Hub accepts: no '$' start, no '.', ' ' or control characters. */
export function badPropertyName(patch: JsonObject, path = ''): string | undefined {
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$') && path === '' && (k === '$version' || k === '$metadata')) continue
    if (k === '' || k.startsWith('$') || /[.\s\u0000-\u001f]/.test(k)) return path + k
    if (isObject(v)) {
      const b = badPropertyName(v, `${path}${k}.`)
      if (b) return b
    }
  }
  return undefined
}

export interface TwinRecord {
  desired: JsonObject
  reported: JsonObject
  tags: JsonObject
  desiredVersion: number
  reportedVersion: number
}

export const emptyTwin = (): TwinRecord => ({
  desired: {},
  reported: {},
  tags: {},
  desiredVersion: 1,
  reportedVersion: 1,
})

/** The document a device's twin GET answers: both sides with their `$version`. */
export function deviceTwinDocument(t: TwinRecord): {desired: JsonObject; reported: JsonObject} {
  return {desired: {...t.desired, $version: t.desiredVersion}, reported: {...t.reported, $version: t.reportedVersion}}
}
