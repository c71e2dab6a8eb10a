/** Device endpoints (device REST API §5). */
import {device as api} from '../../../protocol/api/index.js'
import {REST_API_VERSION, type ManufacturingState} from '../../../protocol/rest-api.js'
import type {RouteDeps} from '../deps.js'
import {restError} from '../errors.js'
import {on, type Registration} from '../router.js'

const MFG_ORDER: Record<ManufacturingState, number> = {Unknown: 0, Blank: 0, Module1Complete: 1, DeviceComplete: 2}

export function deviceRoutes(d: RouteDeps): Registration[] {
  const b = d.backend
  const s = d.services
  return [
    on(api.status, (c) => {
      c.header('REST-API-Version', REST_API_VERSION)
      return {uptime: Math.floor(b.uptimeSeconds())}
    }),
    on(api.restart, (c) => {
      c.header('Connection', 'close')
      // restart only once the reply is out: after the connection closed (or a short grace period)
      let started = false
      const go = () => {
        if (started) return
        started = true
        void d.restart()
      }
      c.res.on('finish', () => {
        const sock = c.req.socket
        sock.once('close', go)
        setTimeout(go, 250).unref()
      })
      c.res.on('close', () => setTimeout(go, 250).unref())
      return {restartingSystem: true}
    }),
    on(api.osVersion, () => ({osversion: b.osVersion()})),
    on(api.securityState, () => ({
      securityState: 'SECURE',
      deviceIdentifier: b.deviceId(),
      deviceIdentityPublicKey: b.deviceId().slice(0, 128).padEnd(128, '0'),
    })),
    on(api.capabilities, () => ({device_capabilities: b.capabilityCodes()})),
    on(api.manufacturingState, () => ({manufacturingState: b.manufacturingState()})),
    on(api.setManufacturingState, async (c) => {
      const want = (await c.body()).manufacturingState
      if (want !== 'Module1Complete' && want !== 'DeviceComplete')
        throw restError(400, 'invalidUri', 'manufacturingState must be Module1Complete or DeviceComplete')
      const cur = b.manufacturingState()
      // irreversible: never step back
      if (MFG_ORDER[want] < MFG_ORDER[cur]) throw restError(409, 'busy', `the device is already ${cur}; manufacturing state cannot go back`)
      if (want !== cur) {
        b.setManufacturingState(want)
        d.hub.deviceChanged()
      }
      return {}
    }),
    on(api.log, () => {
      const bytes = b.diagnosticLog()
      return bytes.length ? bytes : Buffer.from('\n')
    }),
    on(api.telemetry, () => s.telemetry.bytes()),
    on(api.clearTelemetry, () => {
      s.telemetry.clear()
      return {}
    }),
    on(api.memoryStats, () => ({memoryStats: b.memoryStats()})),
  ]
}
