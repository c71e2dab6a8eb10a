import type {OutputFormat} from './config.js'
import {usageError} from '../util/errors.js'

/** A table/tsv column: `key` is a dotted path into each row; `header` defaults to the key. */
export interface Column {
  key: string
  header?: string
}

/**
 * Columns named as az's table output names them: the key with its first letter in upper case (`interfaceUp` ->
 * `InterfaceUp`); a dotted path is headed by its last part.
 */
export function azColumns(...keys: string[]): Column[] {
  return keys.map((key) => {
    const last = key.slice(key.lastIndexOf('.') + 1)
    return {key, header: last.charAt(0).toUpperCase() + last.slice(1)}
  })
}

export interface RenderOptions {
  format: OutputFormat
  query?: string | undefined
  columns?: readonly Column[] | undefined
  /**
   * For table/tsv: the key of the result whose array holds the rows (`interfaces` of `{"interfaces": [...]}`), as
   * az's table transformers unwrap the device's object. Not used after a --query (the query shaped the result).
   */
  rows?: string | undefined
  color?: boolean
}

/** Apply a JMESPath expression; a bad expression is a usage error naming it. */
export async function applyQuery(data: unknown, query: string): Promise<unknown> {
  const {default: jmespath} = await import('jmespath')
  try {
    return jmespath.search(data as never, query)
  } catch (e) {
    throw usageError('BAD_QUERY', `Invalid --query '${query}': ${(e as Error).message}`, [
      'See https://jmespath.org for the query syntax.',
    ])
  }
}

function getPath(row: unknown, path: string): unknown {
  let cur: unknown = row
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[part]
  }
  return cur
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return ''
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v)
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) return v.join(', ')
  return JSON.stringify(v)
}

/** Turn any result into rows + columns for table/tsv. */
export function tabulate(data: unknown, columns?: readonly Column[]): {headers: string[]; rows: string[][]} {
  let rows: unknown[]
  if (Array.isArray(data)) rows = data
  else if (data !== null && typeof data === 'object') rows = [data]
  else rows = [{Result: data}]
  const objectRows = rows.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r))
  if (!objectRows) {
    return {headers: ['Result'], rows: rows.map((r) => [cell(r)])}
  }
  let cols: readonly Column[]
  const keysPresent = new Set<string>()
  for (const r of rows) for (const k of Object.keys(r as object)) keysPresent.add(k)
  // Declared columns only when they describe this shape (a --query may have reshaped the rows).
  if (columns && columns.length > 0 && (rows.length === 0 || columns.some((c) => keysPresent.has(c.key.split('.')[0] ?? c.key)))) {
    cols = columns
  } else {
    cols = [...keysPresent].map((k) => ({key: k}))
  }
  return {
    headers: cols.map((c) => c.header ?? c.key),
    rows: rows.map((r) => cols.map((c) => cell(getPath(r, c.key)))),
  }
}

function tsvEscape(s: string): string {
  return s.replace(/[\t\n\r]/g, ' ')
}

function colorizeJson(text: string): string {
  // Minimal ANSI colouring for jsonc: keys cyan, strings green, numbers/booleans yellow.
  return text.replace(
    /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g,
    (m, str: string | undefined, colon: string | undefined, kw: string | undefined, num: string | undefined) => {
      if (str !== undefined) return colon ? `\u001b[36m${str}\u001b[0m${colon}` : `\u001b[32m${str}\u001b[0m`
      if (kw !== undefined || num !== undefined) return `\u001b[33m${m}\u001b[0m`
      return m
    },
  )
}

/** Render a command result as text (no trailing newline handling: the caller prints it). */
export async function render(data: unknown, opts: RenderOptions): Promise<string | undefined> {
  if (opts.query) data = await applyQuery(data, opts.query)
  else if (opts.rows && (opts.format === 'table' || opts.format === 'tsv') && data !== null && typeof data === 'object') {
    const inner = (data as Record<string, unknown>)[opts.rows]
    if (Array.isArray(inner)) data = inner
  }
  switch (opts.format) {
    case 'none':
      return undefined
    case 'json':
      return JSON.stringify(data ?? null, null, 2)
    case 'jsonc': {
      const text = JSON.stringify(data ?? null, null, 2)
      return opts.color ? colorizeJson(text) : text
    }
    case 'yaml':
    case 'yamlc': {
      const {stringify} = await import('yaml')
      return stringify(data ?? null).replace(/\n$/, '')
    }
    case 'tsv': {
      const {rows} = tabulate(data, opts.columns)
      return rows.map((r) => r.map(tsvEscape).join('\t')).join('\n')
    }
    case 'table': {
      const {headers, rows} = tabulate(data, opts.columns)
      if (headers.length === 0) return undefined // nothing to show (an empty object)
      const {default: Table} = await import('cli-table3')
      const table = new Table({
        head: headers,
        style: opts.color ? {head: ['cyan'], border: ['grey']} : {head: [], border: []},
      })
      for (const r of rows) table.push(r)
      return table.toString()
    }
  }
}
