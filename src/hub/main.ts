/**
 * The hub service process: `node dist/hub/main.js --home H [--port N] [--host-name NAME]`. It writes
 * `H/hub/hub.json` once the MQTT/TLS listener and the control socket are up and removes it on a clean exit.
 */
import {parseArgs} from 'node:util'
import {runHubService} from './service.js'

const {values} = parseArgs({options: {home: {type: 'string'}, port: {type: 'string'}, 'host-name': {type: 'string'}}})

try {
  if (!values.home) throw new Error('--home is required')
  await runHubService({
    home: values.home,
    ...(values.port !== undefined ? {port: Number(values.port)} : {}),
    ...(values['host-name'] ? {hostName: values['host-name']} : {}),
  })
} catch (e) {
  process.stdout.write(`${new Date().toISOString()} fatal: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
}
