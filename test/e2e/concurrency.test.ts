import {afterAll, describe, expect, it} from '@jest/globals'
import {runCli, tempHome} from '../helpers/cli.js'

/** 16 CLI processes at once against one daemon (which the first of them auto-starts). */
describe('concurrent CLI processes', () => {
  const {home, cleanup} = tempHome()
  const env = {SPHERE_HOME: home}
  afterAll(async () => {
    await runCli(['sim', 'stop', '--all'], {env})
    cleanup()
  })

  it('16 concurrent adds: one daemon started, no lost or duplicated operation', async () => {
    const N = 16
    const results = await Promise.all(
      Array.from({length: N}, (_, i) => runCli(['device', 'wifi', 'add', '--ssid', `net-${i}`, '--psk', `password-${i}`, '-o', 'json'], {env})),
    )
    for (const r of results) expect(r.stderr).toBe('')
    expect(results.map((r) => r.code)).toEqual(Array(N).fill(0))
    const ids = results.map((r) => (JSON.parse(r.stdout) as {id: number}).id).sort((a, b) => a - b)
    expect(ids).toEqual(Array.from({length: N}, (_, i) => i)) // every add got its own id
    const sims = JSON.parse((await runCli(['sim', 'list', '-o', 'json'], {env})).stdout) as unknown[]
    expect(sims).toHaveLength(1) // exactly one daemon, despite 16 racing auto-starts
    const {values: list} = JSON.parse((await runCli(['device', 'wifi', 'list', '-o', 'json'], {env})).stdout) as {values: {ssid: string}[]}
    expect(list.map((n) => n.ssid).sort()).toEqual(Array.from({length: N}, (_, i) => `net-${i}`).sort())
    // and 16 concurrent deletes leave nothing behind
    const dels = await Promise.all(ids.map((id) => runCli(['device', 'wifi', 'forget', '--id', String(id), '-o', 'none'], {env})))
    expect(dels.map((r) => r.code)).toEqual(Array(N).fill(0))
    const empty = JSON.parse((await runCli(['device', 'wifi', 'list', '-o', 'json'], {env})).stdout) as unknown
    expect(empty).toEqual({values: []})
  }, 240_000)
})
