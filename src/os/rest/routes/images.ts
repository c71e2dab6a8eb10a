/** Image endpoints (device REST API §6): list, stage (sideload), install. */
import {images as api} from '../../../protocol/api/index.js'
import type {RouteDeps} from '../deps.js'
import {restError} from '../errors.js'
import {on, type Registration} from '../router.js'

export function imageRoutes(d: RouteDeps): Registration[] {
  const b = d.backend
  return [
    on(api.images, () => b.images()),
    on(api.stage, async (c) => {
      // whether the device takes a sideload at all is the install policy's decision (Device.stage -> the LSM)
      const bytes = await c.body()
      if (bytes.length === 0) throw restError(400, 'imageNotStaged', 'empty upload')
      const pkg = b.verifyPackage(bytes)
      b.stage(bytes, pkg)
      d.hub.deviceChanged()
      return {}
    }),
    on(api.install, async (c) => {
      const mode = (await c.body()).appControlMode ?? 'Auto'
      if (mode !== 'Auto' && mode !== 'Manual') throw restError(400, 'invalidUri', "appControlMode must be 'Auto' or 'Manual'")
      await b.installStaged({start: mode === 'Auto'})
      return {}
    }),
  ]
}
