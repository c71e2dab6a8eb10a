/** Every route handler, one module per resource (the specs they serve are in src/protocol/api). */
import type {RouteDeps} from '../deps.js'
import type {Registration} from '../router.js'
import {appRoutes} from './apps.js'
import {certstoreRoutes} from './certstore.js'
import {deviceRoutes} from './device.js'
import {imageRoutes} from './images.js'
import {networkRoutes} from './network.js'
import {replayRoutes} from './replay.js'
import {sphereRoutes} from './sphere.js'
import {wifiRoutes} from './wifi.js'

export function allRoutes(d: RouteDeps): Registration[] {
  return [deviceRoutes, appRoutes, imageRoutes, certstoreRoutes, networkRoutes, wifiRoutes, sphereRoutes, replayRoutes].flatMap((f) => f(d))
}
