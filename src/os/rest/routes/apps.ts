/** Application endpoints (device REST API §6). */
import {apps as api} from '../../../protocol/api/index.js'
import type {AppStatusResponse} from '../../../protocol/rest-api.js'
import type {RouteDeps} from '../deps.js'
import {restError} from '../errors.js'
import {componentId, on, type Registration} from '../router.js'

function appStatusBody(st: AppStatusResponse | undefined): AppStatusResponse {
  if (!st) return {state: 'notPresent'}
  if (st.state === 'debugging') return {state: 'debugging', gdbPort: st.gdbPort ?? 2345, outPort: st.outPort ?? 2342}
  return {state: st.state}
}

export function appRoutes(d: RouteDeps): Registration[] {
  const b = d.backend
  return [
    on(api.appStatus, (c) => appStatusBody(b.appStatus(componentId(c.params.componentId)))),
    on(api.setAppState, async (c) => {
      const cid = componentId(c.params.componentId)
      const t = (await c.body()).trigger
      if (t !== 'start' && t !== 'stop' && t !== 'startDebug') throw restError(400, 'invalidUri', "trigger must be 'start', 'stop' or 'startDebug'")
      if (!b.appStatus(cid)) throw restError(409, 'appNotPresent')
      return appStatusBody(await b.controlApp(cid, t))
    }),
    on(api.appQuota, (c) => {
      const q = b.appQuota(componentId(c.params.componentId))
      if (!q) throw restError(404, 'appNotPresent')
      return {UsageKB: q.UsageKB, LimitKB: q.LimitKB}
    }),
    on(api.deleteApp, async (c) => {
      await b.uninstall(componentId(c.params.componentId))
      return {}
    }),
  ]
}
