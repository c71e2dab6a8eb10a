/** Network endpoints (device REST API §8): interfaces, status, firewall, proxy. */
import {network as api} from '../../../protocol/api/index.js'
import type {RouteDeps} from '../deps.js'
import {restError} from '../errors.js'
import {on, type Registration} from '../router.js'

export function networkRoutes(d: RouteDeps): Registration[] {
  const b = d.backend
  const s = d.services
  return [
    on(api.interfaces, () => ({interfaces: s.net.interfaces()})),
    on(api.netInterface, (c) => {
      const v = s.net.iface(c.params.interfaceName)
      if (!v) throw restError(404, 'invalidUri')
      return v
    }),
    on(api.setNetInterface, async (c) => {
      const name = c.params.interfaceName
      const body = await c.body()
      if (!s.net.iface(name)) throw restError(404, 'invalidUri')
      if (body.hardwareAddress !== undefined) {
        // update-interface: the MAC address of an Ethernet interface (persisted; the up/down state is untouched)
        s.net.setHardwareAddress(name, body.hardwareAddress)
        if (body.interfaceUp === undefined) return {}
      }
      if (typeof body.interfaceUp !== 'boolean') throw restError(400, 'invalidUri', 'interfaceUp must be a boolean')
      s.net.setUp(name, body.interfaceUp)
      return {}
    }),
    on(api.netStatus, () => s.net.status()),
    on(api.firewall, () => ({rulesets: s.net.firewallRulesets(b.firewallAllowances?.() ?? [])})),
    on(api.proxy, () => s.net.proxy() ?? {}),
    on(api.setProxy, async (c) => s.net.setProxy(await c.body())),
    on(api.deleteProxy, () => {
      s.net.deleteProxy()
      return {}
    }),
  ]
}
