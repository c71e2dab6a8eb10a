export {DeviceClient, normaliseComponentId, parseNdjson} from './client.js'
export {deviceRequest, deviceStream, apiError, describeConnector, DeviceApiError, type Connector, type HttpResponse} from './http.js'
export {parseDeviceSpec, selectDevice, selectSpec, connectSim, attachSim, runningSims, DEFAULT_SIM, type DeviceSpec, type SelectedDevice, type SelectOptions} from './select.js'
export {
  ensureDaemon,
  stopDaemon,
  liveDaemon,
  listSimNames,
  readDaemonInfo,
  simDir,
  simSocketPath,
  assertSimName,
  isPidAlive,
  type DaemonInfo,
  type StartOptions,
} from './sims.js'
