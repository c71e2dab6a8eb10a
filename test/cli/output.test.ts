import {describe, expect, it} from '@jest/globals'
import {render, tabulate} from '../../src/cli/output.js'
import {suggestCommands} from '../../src/cli/handle-error.js'

describe('render', () => {
  const rows = [
    {name: 'a', state: 'running', mem: {kb: 12}},
    {name: 'b', state: 'stopped', mem: {kb: 3}},
  ]
  it('tabulates declared dotted columns in order', () => {
    const t = tabulate(rows, [{key: 'state', header: 'State'}, {key: 'mem.kb'}])
    expect(t.headers).toEqual(['State', 'mem.kb'])
    expect(t.rows).toEqual([
      ['running', '12'],
      ['stopped', '3'],
    ])
  })
  it('falls back to the keys present when a query reshaped the rows', async () => {
    const text = await render(rows, {format: 'tsv', query: '[].{n: name}', columns: [{key: 'state'}]})
    expect(text).toBe('a\nb')
  })
  it('renders scalars and empty lists', async () => {
    expect(await render(5, {format: 'tsv'})).toBe('5')
    expect(await render([], {format: 'json'})).toBe('[]')
    expect(await render({a: 1}, {format: 'none'})).toBeUndefined()
  })
  it('jsonc colours only when asked', async () => {
    expect(await render({a: 1}, {format: 'jsonc', color: false})).toBe('{\n  "a": 1\n}')
    expect(await render({a: 1}, {format: 'jsonc', color: true})).toContain('\u001b[36m"a"')
  })
})

describe('suggestCommands', () => {
  it('finds near misses and prefixes', () => {
    const ids = ['device:app:start', 'device:app:stop', 'show-version', 'sim:start']
    expect(suggestCommands('device:app:strat', ids)[0]).toBe('device app start')
    expect(suggestCommands('show-vers', ids)).toEqual(['show-version'])
    expect(suggestCommands('zzzzzzzz', ids)).toEqual([])
  })
})
