/** The simulator's /sphere/ extensions: views, logs, audit, events, world, capability files, OTA, CA. */
import {sphere as api} from '../../../protocol/api/index.js'
import type {SphereEvent, SphereUpdateStatus} from '../../../protocol/rest-api.js'
import {issueCapabilityFile, readCapabilityFile} from '../../services/capability-file.js'
import {ensureDeviceCa} from '../../services/tls.js'
import type {RouteDeps} from '../deps.js'
import {restError} from '../errors.js'
import {startStream, writeLine} from '../http.js'
import {componentId, on, SENT, sinceParam, type Registration} from '../router.js'

export function sphereRoutes(d: RouteDeps): Registration[] {
  const b = d.backend
  const s = d.services
  const stateDir = (need: string): string => {
    if (!d.opts.stateDir) throw restError(500, 'busy', `${need} a device state directory`)
    return d.opts.stateDir
  }
  const capabilities = () => ({capabilities: b.capabilityNames(), device_capabilities: b.capabilityCodes()})
  return [
    on(api.device, () => d.deviceInfo()),
    on(api.deviceCapabilities, capabilities),
    on(api.changeCapabilities, async (c) => {
      const body = await c.body()
      const caps = body.capabilities ?? []
      const revoke = body.revoke ?? []
      const names = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string')
      if (!names(caps) || !names(revoke) || caps.length + revoke.length === 0)
        throw restError(400, 'invalidUri', 'capabilities / revoke must be arrays of names, not both empty')
      // dropping a capability is allowed on any transport; granting one is not
      if (caps.length > 0) c.privileged('granting device capabilities')
      if (caps.length > 0) b.grantCapabilities(caps)
      if (revoke.length > 0) b.revokeCapabilities(revoke)
      d.hub.deviceChanged()
      return capabilities()
    }),
    // device capability download: the simulator issues a .cap file bound to itself, signed by its CA
    on(api.capabilityFile, async (c) => {
      const types = (await c.body()).capabilities ?? []
      if (!Array.isArray(types) || types.some((x) => typeof x !== 'string'))
        throw restError(400, 'invalidUri', 'capabilities must be an array of names')
      return issueCapabilityFile(stateDir('capability files need'), b.deviceId(), types as string[])
    }),
    // device capability update: verify the file against this device, then persist its capabilities
    on(api.capabilityUpdate, async (c) => {
      const caps = readCapabilityFile(stateDir('capability files need'), b.deviceId(), await c.body())
      b.setCapabilities(caps)
      d.hub.deviceChanged()
      return capabilities()
    }),
    // device capability apply: a temporary session (not persisted; ends on restart or DELETE)
    on(api.capabilitySession, async (c) => {
      const caps = readCapabilityFile(stateDir('capability files need'), b.deviceId(), await c.body())
      b.setSessionCapabilities(caps)
      d.hub.deviceChanged()
      return {capabilities: b.capabilityNames(), session: caps}
    }),
    on(api.endCapabilitySession, () => {
      b.setSessionCapabilities(null)
      d.hub.deviceChanged()
      return {capabilities: b.capabilityNames(), session: []}
    }),
    on(api.apps, () => b.apps()),
    on(api.appLog, (c) => {
      const cid = componentId(c.params.componentId)
      let since = sinceParam(c.query)
      const entries = b.appLog(cid, since)
      if (!entries) throw restError(404, 'appNotPresent')
      const follow = c.query.get('follow') === '1' || c.query.get('follow') === 'true'
      if (!follow) {
        const text = entries.map((e) => `${JSON.stringify(e)}\n`).join('')
        c.res.writeHead(200, {'Content-Type': 'application/x-ndjson', 'Content-Length': String(Buffer.byteLength(text))})
        c.res.end(text)
        return SENT
      }
      startStream(c.res)
      for (const e of entries) {
        writeLine(c.res, e)
        since = Math.max(since, e.seq)
      }
      const remove = d.hub.add({
        res: c.res,
        onEvent: (e) => {
          if (e.type !== 'log' || e.componentId !== cid || e.entry.seq <= since) return
          since = e.entry.seq
          writeLine(c.res, e.entry)
        },
      })
      c.res.on('close', remove)
      return SENT
    }),
    on(api.appCapabilities, (c) => {
      const report = b.capabilityAudit?.(componentId(c.params.componentId))
      if (!report) throw restError(404, 'appNotPresent')
      return report
    }),
    on(api.updates, () => b.updateStatus?.() ?? ({osVersion: b.osVersion(), os: {}, history: []} as unknown as SphereUpdateStatus)),
    on(api.applyUpdate, async (c) => {
      if (!b.applyUpdate) throw restError(404, 'invalidUri', 'this device has no update agent')
      return b.applyUpdate(await c.body())
    }),
    on(api.recover, () => d.recover()),
    on(api.audit, (c) => b.audit(sinceParam(c.query))),
    on(api.events, (c) => {
      startStream(c.res)
      writeLine(c.res, {type: 'snapshot', time: Date.now(), device: d.deviceInfo(), apps: b.apps(), world: b.world()} satisfies SphereEvent)
      const remove = d.hub.add({
        res: c.res,
        onEvent: (e) => {
          if (e.type === 'audit') writeLine(c.res, {type: 'audit', time: Date.now(), record: e.record} satisfies SphereEvent)
          else if (e.type === 'log')
            writeLine(c.res, {type: 'log', time: Date.now(), componentId: e.componentId, entry: e.entry} satisfies SphereEvent)
        },
        onCoalesced: (e) => writeLine(c.res, e),
      })
      c.res.on('close', remove)
      return SENT
    }),
    on(api.world, () => b.world()),
    on(api.setWorld, async (c) => {
      const set = (await c.body()).set
      if (!set || typeof set !== 'object' || Array.isArray(set)) throw restError(400, 'invalidUri', 'expected {"set": {path: value}}')
      return b.setWorld(set as Record<string, unknown>)
    }),
    on(api.press, async (c) => {
      const body = await c.body()
      if (typeof body.button !== 'string' || body.button === '') throw restError(400, 'invalidUri', 'button must be a name such as A')
      const hold = body.holdMs
      if (hold !== undefined && (typeof hold !== 'number' || !(hold >= 0 && hold <= 60_000)))
        throw restError(400, 'invalidUri', 'holdMs must be 0-60000')
      return b.press(body.button, hold as number | undefined)
    }),
    on(api.deploymentTimeout, () => ({timeoutMinutes: s.sideload.deploymentTimeout()})),
    on(api.setDeploymentTimeout, async (c) => {
      const t = (await c.body()).timeoutMinutes
      if (t !== null && (typeof t !== 'number' || !Number.isFinite(t) || t < 0))
        throw restError(400, 'invalidUri', 'timeoutMinutes must be a non-negative number or null')
      try {
        s.sideload.setDeploymentTimeout(t as number | null)
      } catch (e) {
        throw restError(400, 'invalidUri', (e as Error).message)
      }
      return {timeoutMinutes: s.sideload.deploymentTimeout()}
    }),
    on(api.deviceCa, () => ({caPem: ensureDeviceCa(stateDir('the device CA needs'), {deviceName: d.opts.name}).certPem})),
  ]
}
