/** The accepted-message record: rotated so it stays bounded on disk, read back from both files on start. */
import {existsSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {tempHome} from '../helpers/cli.js'
import {HubState} from '../../src/hub/state.js'
import type {HubEvent} from '../../src/hub/types.js'

const {home, cleanup} = tempHome('sphere-hub-state-')
afterAll(cleanup)

const event = (deviceId: string, seq: number): HubEvent => ({
  event: {
    origin: deviceId,
    module: '',
    interface: '',
    component: '',
    payload: {seq, pad: 'x'.repeat(100)},
    properties: {system: {}, application: {}},
    annotations: {},
  },
})

test('messages.jsonl rotates at its bound; a restarted state still knows every message ID of both files', () => {
  const s = new HubState(home, 4096)
  for (let i = 0; i < 100; i++) s.accept('d', `m${i}`, (seq) => event('d', seq))
  const cur = join(home, 'hub', 'messages.jsonl')
  const old = join(home, 'hub', 'messages.1.jsonl')
  expect(existsSync(old)).toBe(true)
  expect(statSync(cur).size).toBeLessThanOrEqual(4096)
  expect(statSync(old).size).toBeLessThanOrEqual(4096)
  const again = new HubState(home, 4096)
  expect(again.seq).toBe(100)
  expect(again.accepted('d', 'm99')).toBe(true) // in the current file
  const kept = again.since(0).map((m) => m.messageId)
  expect(kept.at(-1)).toBe('m99')
  expect(again.accepted('d', kept[0]!)).toBe(true) // in the rotated file
  expect(again.accepted('d', 'm0')).toBe(false) // dropped with the file before
  expect(again.accepted('other', 'm99')).toBe(false) // message IDs are per device
})
