/** Wi-Fi endpoints (device REST API §8-§9). */
import {wifi as api} from '../../../protocol/api/index.js'
import {WIFI_INTERFACE} from '../../services/netconfig.js'
import {wifiDiagnostics} from '../../services/wifi-diagnostics.js'
import type {RouteDeps} from '../deps.js'
import {restError} from '../errors.js'
import {networkId, on, type Registration} from '../router.js'

export function wifiRoutes(d: RouteDeps): Registration[] {
  const s = d.services
  const wifiUpOr500 = (): void => {
    if (!s.net.wifiUp) throw restError(500, 'wifiDisabled')
  }
  const diagnostics = () => wifiDiagnostics(s.wifi.stored(), (id) => s.certs.has(id), new Date().toISOString())
  return [
    on(api.diagnostics, () => {
      wifiUpOr500()
      return {values: diagnostics()}
    }),
    on(api.networkDiagnostics, (c) => {
      wifiUpOr500()
      const id = networkId(c.params.networkId)
      // a network without a failed attempt (or no such network) has nothing recorded
      const hit = diagnostics().find((v) => v.networkId === id)
      if (!hit) throw restError(404, 'networkNotFound')
      return hit
    }),
    on(api.networks, () => {
      wifiUpOr500()
      return {values: s.wifi.list()}
    }),
    on(api.addNetwork, async (c) => s.wifi.add(await c.body())),
    on(api.network, (c) => {
      const v = s.wifi.get(networkId(c.params.networkId))
      if (!v) throw restError(404, 'networkNotFound')
      return v
    }),
    on(api.updateNetwork, async (c) => s.wifi.update(networkId(c.params.networkId), await c.body())),
    on(api.deleteNetwork, (c) => {
      wifiUpOr500()
      if (!s.wifi.remove(networkId(c.params.networkId))) throw restError(404, 'networkNotFound')
      return {}
    }),
    on(api.wifiInterface, () => s.wifi.interfaceStatus(s.net.iface(WIFI_INTERFACE)?.hardwareAddress ?? '', s.net.wifiUp)),
    on(api.setWifiInterface, async (c) => {
      const body = await c.body()
      if (body.reloadConfig !== undefined && typeof body.reloadConfig !== 'boolean')
        throw restError(400, 'invalidUri', 'reloadConfig must be a boolean')
      return {}
    }),
    on(api.scan, () => {
      wifiUpOr500()
      return {values: s.wifi.scan()}
    }),
  ]
}
