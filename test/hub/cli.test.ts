/** `sphere hub ...` on bad input and a missing or unstartable hub: one line naming the problem, a non-zero exit. */
import {createServer, type Server} from 'node:net'
import {runCli, tempHome} from '../helpers/cli.js'
import {hub} from './helpers.js'

const {home, cleanup} = tempHome('sphere-hub-cli-')
const env = {SPHERE_HOME: home}
const sphere = (args: string[]) => runCli(['hub', ...args], {env})
let blocker: Server | undefined

afterAll(async () => {
  blocker?.close()
  await hub(home, ['stop']).catch(() => undefined)
  cleanup()
})

const errorLine = (stderr: string) => stderr.split('\n').find((l) => l.startsWith('Error: '))

test('without a running hub: status says so, commands that need it fail with one line', async () => {
  expect(await hub(home, ['status'])).toEqual({running: false})
  const r = await sphere(['invoke-device-method', '--device-id', 'dev', '--method-name', 'm'])
  expect(r.code).toBe(1)
  expect(errorLine(r.stderr)).toBe('Error: The local hub is not running.')
  expect(r.stdout).toBe('')
})

test('bad input names the thing: unknown device, bad JSON, bad device ID, unreadable CA file, busy port', async () => {
  await hub(home, ['start'])
  let r = await sphere(['device-twin', 'update', '--device-id', 'nope', '--desired', '{"a":1}'])
  expect([r.code, errorLine(r.stderr)]).toEqual([1, "Error: Device 'nope' is not registered with the local hub."])
  r = await sphere(['device-twin', 'update', '--device-id', 'nope', '--desired', '{bad'])
  expect(r.code).toBe(2)
  expect(errorLine(r.stderr)).toMatch(/^Error: --desired is not valid JSON: /)
  r = await sphere(['device-identity', 'create', '--device-id', 'bad/id'])
  expect(r.code).toBe(1)
  expect(errorLine(r.stderr)).toMatch(/^Error: Device ID 'bad\/id' is not valid/)
  r = await sphere(['enrollment-group', 'create', '--group-id', 'g', '--certificate-path', '/nonexistent/ca.pem'])
  expect([r.code, errorLine(r.stderr)]).toEqual([2, 'Error: Cannot read /nonexistent/ca.pem: ENOENT.'])
  expect(await hub(home, ['device-identity', 'list'])).toEqual([])

  blocker = createServer()
  const port = await new Promise<number>((resolve) =>
    blocker!.listen(0, '127.0.0.1', () => resolve((blocker!.address() as {port: number}).port)),
  )
  r = await sphere(['start', '--port', String(port), '--restart'])
  expect(r.code).toBe(1)
  expect(errorLine(r.stderr)).toBe(
    `Error: The local hub did not start: port ${port} is in use; start with --port to choose another`,
  )
})
