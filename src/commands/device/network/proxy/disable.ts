import {proxySwitch} from './enable.js'

export default proxySwitch(
  false,
  'Turns off the proxy without deleting its configuration (`device network proxy enable` turns it on again). Fails when no proxy is configured.',
)
