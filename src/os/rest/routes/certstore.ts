/** Certificate store endpoints (device REST API §7). */
import {certstore as api} from '../../../protocol/api/index.js'
import type {RouteDeps} from '../deps.js'
import {restError} from '../errors.js'
import {on, type Registration} from '../router.js'

export function certstoreRoutes(d: RouteDeps): Registration[] {
  const s = d.services
  return [
    on(api.certs, () => ({identifiers: s.certs.list()})),
    on(api.cert, (c) => {
      const v = s.certs.get(c.params.certificateId)
      if (!v) throw restError(404, 'certNotFound')
      return v
    }),
    on(api.addCert, async (c) => {
      const body = await c.body()
      s.certs.add(c.params.certificateId, body as {certType: unknown; publicCert: unknown})
      return {}
    }),
    on(api.deleteCert, (c) => {
      if (!s.certs.remove(c.params.certificateId)) throw restError(404, 'certNotFound')
      return {}
    }),
    on(api.certSpace, () => ({AvailableSpace: s.certs.availableSpaceString()})),
  ]
}
