/**
 * A strict JSON reader for files people write by hand (app_manifest.json, hardware definitions):
 * rejects duplicate keys (JSON.parse silently keeps the last), bounds nesting depth and size, accepts
 * a leading UTF-8 BOM, and reports errors with line and column. Never uses the object prototype for
 * keys, so "__proto__" is an ordinary key.
 */
import {fail} from './binary.js'

export interface StrictJsonOptions {
  /** Prefix of error messages, e.g. the file name. */
  what: string
  /** Error code for all failures. */
  code?: string
  maxDepth?: number
  maxLength?: number
}

export function parseStrictJson(text: string, opts: StrictJsonOptions): unknown {
  const code = opts.code ?? 'JSON_INVALID'
  const maxDepth = opts.maxDepth ?? 64
  const maxLength = opts.maxLength ?? 4 * 1024 * 1024
  if (text.length > maxLength)
    fail(
      code.replace(/_INVALID$/, '') + '_TOO_LARGE',
      `${opts.what}: ${text.length} characters exceeds the ${maxLength}-character limit`,
    )
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const where = (at: number): string => {
    let line = 1
    let col = 1
    for (let k = 0; k < at && k < text.length; k++) {
      if (text.charCodeAt(k) === 10) {
        line++
        col = 1
      } else col++
    }
    return `line ${line}, column ${col}`
  }
  const err = (msg: string, at = i): never => fail(code, `${opts.what}: ${msg} at ${where(at)}`)
  const ws = (): void => {
    for (;;) {
      const c = text.charCodeAt(i)
      if (c === 32 || c === 9 || c === 10 || c === 13) i++
      else break
    }
  }
  const describe = (at: number): string =>
    at >= text.length ? 'end of input' : `character ${JSON.stringify(text[at])}`
  const str = (): string => {
    const start = i
    i++ // opening quote
    let out = ''
    let run = i
    for (;;) {
      if (i >= text.length) err('unterminated string', start)
      const c = text.charCodeAt(i)
      if (c === 34) {
        out += text.slice(run, i)
        i++
        return out
      }
      if (c < 0x20) err('control character in string')
      if (c === 92) {
        out += text.slice(run, i)
        const e = text[i + 1]
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e
            i += 2
            break
          case 'b':
            out += '\b'
            i += 2
            break
          case 'f':
            out += '\f'
            i += 2
            break
          case 'n':
            out += '\n'
            i += 2
            break
          case 'r':
            out += '\r'
            i += 2
            break
          case 't':
            out += '\t'
            i += 2
            break
          case 'u': {
            const h = text.slice(i + 2, i + 6)
            if (!/^[0-9a-fA-F]{4}$/.test(h)) err('bad \\u escape')
            out += String.fromCharCode(parseInt(h, 16))
            i += 6
            break
          }
          default:
            err('bad escape in string')
        }
        run = i
      } else i++
    }
  }
  const num = (): number => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400))
    if (!m) return err(`unexpected ${describe(i)}`)
    i += m[0].length
    const v = Number(m[0])
    if (!Number.isFinite(v)) err('number out of range', i - m[0].length)
    return v
  }
  const value = (depth: number): unknown => {
    ws()
    if (depth > maxDepth) err(`nesting deeper than ${maxDepth}`)
    const c = text[i]
    if (c === '{') {
      i++
      const obj: Record<string, unknown> = {}
      const keys = new Set<string>()
      ws()
      if (text[i] === '}') {
        i++
        return obj
      }
      for (;;) {
        ws()
        if (text[i] !== '"') err(`expected a key string, found ${describe(i)}`)
        const kAt = i
        const k = str()
        if (keys.has(k)) err(`duplicate key ${JSON.stringify(k)}`, kAt)
        keys.add(k)
        ws()
        if (text[i] !== ':') err(`expected ':' after key ${JSON.stringify(k)}, found ${describe(i)}`)
        i++
        const v = value(depth + 1)
        Object.defineProperty(obj, k, {value: v, enumerable: true, writable: true, configurable: true})
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === '}') {
          i++
          return obj
        }
        err(`expected ',' or '}', found ${describe(i)}`)
      }
    }
    if (c === '[') {
      i++
      const arr: unknown[] = []
      ws()
      if (text[i] === ']') {
        i++
        return arr
      }
      for (;;) {
        arr.push(value(depth + 1))
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === ']') {
          i++
          return arr
        }
        err(`expected ',' or ']', found ${describe(i)}`)
      }
    }
    if (c === '"') return str()
    if (text.startsWith('true', i)) {
      i += 4
      return true
    }
    if (text.startsWith('false', i)) {
      i += 5
      return false
    }
    if (text.startsWith('null', i)) {
      i += 4
      return null
    }
    return num()
  }
  const v = value(0)
  ws()
  if (i < text.length) err(`unexpected ${describe(i)} after the JSON value`)
  return v
}

/** Decodes UTF-8 bytes (optionally with BOM) and parses them strictly. */
export function parseStrictJsonBytes(bytes: Uint8Array, opts: StrictJsonOptions): unknown {
  const maxLength = opts.maxLength ?? 4 * 1024 * 1024
  const code = opts.code ?? 'JSON_INVALID'
  if (bytes.length > maxLength)
    fail(
      code.replace(/_INVALID$/, '') + '_TOO_LARGE',
      `${opts.what}: ${bytes.length} bytes exceeds the ${maxLength}-byte limit`,
    )
  let text: string
  try {
    text = new TextDecoder('utf-8', {fatal: true}).decode(bytes)
  } catch {
    return fail(code, `${opts.what}: not valid UTF-8`)
  }
  return parseStrictJson(text, opts)
}
