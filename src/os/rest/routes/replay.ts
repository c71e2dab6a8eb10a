/** Record / replay and snapshots (src/protocol/api/replay.ts; the service is src/os/replay/service.ts). */
import {replay as api} from '../../../protocol/api/index.js'
import type {RouteDeps} from '../deps.js'
import {restError} from '../errors.js'
import {on, type Registration} from '../router.js'

const NO_LOG = 'this device keeps no input log, so it cannot be snapshotted: start it with --clock fast-forward or --record FILE'

export function replayRoutes(d: RouteDeps): Registration[] {
  const b = d.backend
  const svc = () => {
    if (!d.opts.replay) throw restError(409, 'busy', NO_LOG)
    return d.opts.replay
  }
  return [
    on(api.advance, async (c) => {
      const ms = (await c.body()).ms
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 366 * 86_400_000)
        throw restError(400, 'invalidUri', 'ms must be a number of milliseconds from 0 to a year')
      if (!b.advance) throw restError(409, 'busy', 'this device has no virtual clock to advance')
      return {virtualTimeMs: await b.advance(ms)}
    }),
    on(api.recording, () => {
      if (d.opts.replay) return d.opts.replay.recording()
      const pos = b.position?.() ?? {boot: 0, step: 0, virtualTimeMs: 0}
      return {file: null, clock: null, lines: 0, ...pos}
    }),
    on(api.snapshots, () => (d.opts.replay ? d.opts.replay.snapshots() : [])),
    on(api.saveSnapshot, async (c) => {
      const name = (await c.body()).name
      if (typeof name !== 'string') throw restError(400, 'invalidUri', 'name must be a string')
      return svc().saveSnapshot(name)
    }),
    on(api.restoreSnapshot, (c) => svc().restoreSnapshot(c.params.name)),
    on(api.deleteSnapshot, (c) => {
      svc().deleteSnapshot(c.params.name)
      return {}
    }),
  ]
}
