import {describe, expect, test} from '@jest/globals'
import {parseRecording} from '../../../src/os/replay/recording.js'
import {describeDifference, firstDifference, parseTrace} from '../../../src/os/replay/trace.js'

const header = JSON.stringify({
  format: 'sphere-recording',
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  clock: 'fast-forward',
  epochMs: 0,
  deviceId: 'ab',
  world: null,
  state: {'device.json': 'e30='},
})
const rest = (step: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({in: 'rest', boot: 0, step, t: step * 1000, method: 'POST', url: '/sphere/world/press', ...extra})

describe('recording files', () => {
  test('a header, inputs in order and an end marker parse', () => {
    const r = parseRecording([header, rest(0), rest(3), JSON.stringify({end: true, boot: 0, step: 9, t: 9000})].join('\n'))
    expect(r.inputs.map((i) => i.step)).toEqual([0, 3])
    expect(r.end?.step).toBe(9)
  })

  test.each([
    ['', 'is empty (no header line)'],
    ['{"format":"other"}', 'line 1: not a sphere recording'],
    [header.replace('"version":1', '"version":7'), 'recording version 7 is not supported'],
    [header.replace('"device.json"', '"../../etc/passwd"'), "state path '../../etc/passwd' leaves the state directory"],
    [`${header}\nnot json`, 'line 2: not JSON'],
    [`${header}\n${rest(4)}\n${rest(2)}`, 'line 3: inputs must be in the order they were applied'],
    [`${header}\n${JSON.stringify({in: 'teleport', boot: 0, step: 0, t: 0})}`, 'line 2: unknown input kind "teleport"'],
    [`${header}\n${rest(1, {url: 'no-slash'})}`, 'line 2: a rest input needs method and url'],
    [`${header}\n${JSON.stringify({in: 'rest', boot: -1, step: 0, t: 0, method: 'POST', url: '/x'})}`, 'line 2: boot, step and t are required'],
    [`${header}\n${JSON.stringify({end: true, boot: 0, step: 1, t: 1})}\n${rest(2)}`, 'line 3: input after the end marker'],
    [`${header}\n${rest(1)}\n{"truncated":true}`, 'was cut off at line 3'],
  ])('refused with one line naming the file and the line: %j', (text, why) => {
    expect(() => parseRecording(text, 'rec.jsonl')).toThrow(why)
    try {
      parseRecording(text, 'rec.jsonl')
    } catch (e) {
      expect((e as Error).message).toContain('rec.jsonl')
      expect((e as Error).message.split('\n')).toHaveLength(1)
    }
  })
})

describe('trace comparison', () => {
  const a = parseTrace('{"boot":0,"t":5,"kind":"pin","gpio":8,"level":0,"source":"app"}\n{"boot":0,"t":9,"kind":"pin","gpio":8,"level":1,"source":"app"}\n')
  test('identical traces have no difference; the first differing entry is named', () => {
    expect(firstDifference(a, a)).toBeUndefined()
    const b = [a[0]!, {...a[1]!, t: 10}]
    const d = firstDifference(a, b)
    expect(d?.index).toBe(1)
    expect(describeDifference(d!)).toContain('the traces differ at entry 2')
    expect(firstDifference(a, a.slice(0, 1))?.actual).toBeUndefined()
  })
  test('a line that is not a trace entry is refused', () => {
    expect(() => parseTrace('{"t":1}\n')).toThrow('trace line 1 is not a trace entry')
  })
})
