// micro-bench: cpu per frame of the Monitor
import {PassThrough} from 'node:stream'
const root = '/work/main/dist/tui/'
const {render} = await import('ink')
const React = await import('react')
const {Monitor} = await import(root + 'components/Monitor.js')
const {MonitorStore} = await import(root + 'store.js')
let listener
const apps = Array.from({length: 5}, (_, i) => ({componentId: `0000000${i}-0000-4000-8000-000000000000`, name: `busy${i}`, state: 'running', pid: 10 + i, uid: 1000 + i, memory: {currentBytes: 1000 * i, peakBytes: 200000, limitBytes: 262144}, restarts: 0, cpuShare: 0.2, capabilities: ['Gpio:8']}))
const leds = ['LED1', 'LED2', 'LED3', 'LED4', 'STATUS_LED', 'NETWORKING_LED'].flatMap((p, i) => ['red', 'green', 'blue'].map((c, j) => ({name: `${p}_${c.toUpperCase()}`, gpio: i * 3 + j, on: false, color: c})))
const world = {leds, buttons: [{name: 'A', gpio: 12, pressed: false}, {name: 'B', gpio: 13, pressed: false}], gpios: []}
const source = {
  events(on, signal) { listener = on; on({type: 'snapshot', time: 0, device: {deviceId: 'ab'.repeat(64), osVersion: '25.04', uptime: 10, capabilities: ['appDevelopment'], manufacturingState: 'Blank', clock: {mode: 'realtime', virtualTimeMs: 0, speed: 1}}, apps, world}); return new Promise((r) => signal.addEventListener('abort', r)) },
  setAppState: async () => ({}), deleteApp: async () => ({}), press: async () => ({}), appLog: async () => [], audit: async () => [],
}
const store = new MonitorStore(source)
store.start()
const stdout = new PassThrough(); stdout.columns = 100; stdout.rows = 30; stdout.isTTY = true
stdout.on('data', () => {})
const stdin = new PassThrough(); stdin.isTTY = true; stdin.setRawMode = () => {}; stdin.ref = () => {}; stdin.unref = () => {}
const inst = render(React.createElement(Monitor, {store, label: 'x', intervalMs: 0, color: true}), {stdout, stdin, patchConsole: false, exitOnCtrlC: false, maxFps: 1000})
await new Promise((r) => setTimeout(r, 300))
const N = 100
const c0 = process.cpuUsage()
const t0 = performance.now()
for (let i = 0; i < N; i++) {
  listener({type: 'apps', time: i, apps: apps.map((a) => ({...a, memory: {...a.memory, currentBytes: (i * 997 * (a.pid)) % 200000}}))})
  await new Promise((r) => setTimeout(r, 5))
}
const c = process.cpuUsage(c0)
console.log(`NODE_ENV=${process.env.NODE_ENV} per frame cpu ${((c.user + c.system) / 1000 / N).toFixed(2)} ms, wall ${((performance.now() - t0) / N).toFixed(2)} ms`)
inst.unmount(); store.stop(); process.exit(0)
