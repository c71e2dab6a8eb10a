/** Command-line values for hub commands: JSON texts and `a=1;b=2` property lists, with one clear line when bad. */
import {usageError} from '../util/errors.js'

/** Parse a JSON flag value; `what` names the flag in the error. */
export function jsonArg(text: string, what: string, opts: {object?: boolean} = {}): unknown {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (e) {
    throw usageError('HUB_BAD_JSON_ARG', `${what} is not valid JSON: ${(e as Error).message.split('\n')[0]}`)
  }
  if (opts.object && (typeof v !== 'object' || v === null || Array.isArray(v)))
    throw usageError('HUB_BAD_JSON_ARG', `${what} must be a JSON object.`)
  return v
}

/** `a=1;b=2` (Azure CLI's --props) -> {a: '1', b: '2'}. */
export function propsArg(text: string, what: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of text.split(';')) {
    if (!part.trim()) continue
    const i = part.indexOf('=')
    if (i <= 0) throw usageError('HUB_BAD_PROPS', `${what}: '${part}' is not key=value.`)
    out[part.slice(0, i).trim()] = part.slice(i + 1)
  }
  return out
}
