import {describe, expect, it} from '@jest/globals'
import {applyEvent, formatSnapshotText, initialState, readSnapshot} from '../../src/tui/index.js'
import {FakeSource, makeApp, makeWorld, snapshot} from './fake-source.js'

describe('monitor snapshot', () => {
  it('readSnapshot returns {device, apps, world} from the first line and closes the stream', async () => {
    const src = new FakeSource()
    const snap = await readSnapshot(src, 1000)
    expect(Object.keys(snap)).toEqual(['device', 'apps', 'world', 'board'])
    expect(snap.board.leds[0]).toEqual({name: 'LED1', state: 'off', color: 'off', blinkHz: null, transitions: 0})
    expect(snap.apps.map((a) => a.name)).toEqual(['blink', 'sensor'])
    expect(src.connected).toBe(false)
  })

  it('readSnapshot fails clearly when no snapshot comes', async () => {
    const src = new FakeSource()
    src.onConnect = undefined
    await expect(readSnapshot(src, 50)).rejects.toMatchObject({code: 'MONITOR_NO_SNAPSHOT'})
  })

  it('the text snapshot has the header, one row per app and the board, within the width', () => {
    const apps = [
      makeApp('blink', {
        memory: {currentBytes: 128 * 1024, peakBytes: 200 * 1024, limitBytes: 256 * 1024},
        restarts: 2,
        cpuShare: 0.5,
      }),
      makeApp('sensor', {state: 'stopped', pid: null}),
    ]
    const s = applyEvent(initialState(), snapshot(apps, {world: makeWorld(['LED1_GREEN'], ['B'])}), 0)
    const text = formatSnapshotText(s, {width: 80, now: 0})
    const lines = text.split('\n')
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80)
    expect(lines[0]).toMatch(/^Device abab/)
    expect(lines[1]).toBe('OS 25.04  up 1h02m  realtime x1  Blank  caps appDevelopment')
    const header = lines.find((l) => l.includes('NAME')) as string
    expect(header).toMatch(/NAME +CID +PID +UID STATE +S +MEMORY +NOW\/PEAK\/LIMIT RST +CPU/)
    const blink = lines.find((l) => l.includes('blink')) as string
    expect(blink).toMatch(/blink +4d46953f +10 +1000 Running +S +█+░*▏?░* 128K\/200K\/256K +2 +50%/)
    const sensor = lines.find((l) => l.includes('sensor')) as string
    expect(sensor).toMatch(/sensor +11111111 +- +1001 Stopped +- .* +0 +-$/)
    expect(text).toContain('● LED1 green steady on  0 toggles\n○ LED2 LED3 LED4 STATUS NETWORKING steady off')
    expect(text).toContain('Buttons A up  B DOWN\nPins out 8=1 | in 12=1')
  })

  it('says so when nothing is installed', () => {
    const s = applyEvent(initialState(), snapshot([]), 0)
    expect(formatSnapshotText(s, {width: 100, now: 0})).toContain('(no applications installed)')
  })
})
