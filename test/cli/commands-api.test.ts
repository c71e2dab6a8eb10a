/**
 * Commands reach the device only through DeviceClient's typed methods (built from the route specs in
 * src/protocol/api): no command sends a raw path or calls the client's untyped request layer.
 */
import {describe, expect, it} from '@jest/globals'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {ROUTES} from '../../src/protocol/api/index.js'
import {ROOT} from '../helpers/cli.js'

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
  })
}

// the first segment of every route path: /sphere, /certstore, /net, /wifi, /app, /status ...
const prefixes = [...new Set(ROUTES.map((r) => r.path.split('/')[1]!))]
const RAW_PATH = new RegExp(`['"\`]/(${prefixes.join('|')})(?=[/'"\`?$])`)
const RAW_CALL = /\.(json|request)(<[^>]*>)?\(|\b(deviceRequest|deviceStream)\(/

/** `file:line: text` for every raw device API use under `dir`. */
function rawUses(dir: string): string[] {
  const out: string[] = []
  for (const f of files(dir)) {
    readFileSync(f, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (/^\s*(\/\/|\*)/.test(line)) return
        if (RAW_PATH.test(line) || RAW_CALL.test(line)) out.push(`${relative(ROOT, f)}:${i + 1}: ${line.trim()}`)
      })
  }
  return out
}

describe('commands use typed client methods', () => {
  it('no command calls the device API with a raw path or the untyped request layer', () => {
    expect(rawUses(join(ROOT, 'src', 'commands'))).toEqual([])
  })

  it('the check finds raw paths and raw calls (fixture)', () => {
    const found = rawUses(join(ROOT, 'test', 'fixtures', 'raw-client', 'commands'))
    expect(found).toEqual([
      expect.stringMatching(/bad\.ts:3: await client\.json\('POST', '\/sphere\/updates'/),
      expect.stringMatching(/bad\.ts:4: await client\.request\('GET', `\/certstore\/certs\//),
      expect.stringMatching(/bad\.ts:5: return fetch\("\/net\/proxy"\)/),
    ])
  })
})
