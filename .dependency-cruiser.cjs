// Layer order (see ARCHITECTURE.md). Data flows top to bottom; nothing imports upward.
//   commands -> cli -> tui | device | sdk -> protocol | image -> util
//   os (the simulated device) -> protocol | image | util, and never the host-side layers.
//   commands reach a device through src/device (the REST client), never src/os.
//   inside os: daemon.ts -> rest/ (the REST API) -> device.ts (the wiring) -> services/ -> runtime/ -> kernel side.
const up = (from, to, comment) => ({
  name: `layer-${from.replace(/[^a-z]+/g, '-').replace(/-+$/, '')}-imports-upward`,
  comment,
  severity: 'error',
  from: {path: `^src/(${from})(/|\\.)`},
  to: {path: `^src/(${to})(/|\\.)`},
})

module.exports = {
  forbidden: [
    {name: 'no-circular', severity: 'error', from: {}, to: {circular: true}},
    up('util', 'protocol|image|os|device|sdk|tui|cli|commands', 'util is the bottom layer'),
    up('protocol', 'image|os|device|sdk|tui|cli|commands', 'wire formats depend on nothing above'),
    up('image', 'protocol|os|device|sdk|tui|cli|commands', 'image packages are pure data'),
    up('os', 'device|sdk|tui|cli|commands', 'the simulated device never imports host-side code'),
    up('device', 'os|sdk|tui|cli|commands', 'the device client talks to any device over a transport, never to simulator internals'),
    up('sdk', 'os|device|tui|cli|commands', 'the SDK builds apps; it does not drive devices'),
    up('tui', 'os|sdk|cli|commands', 'the monitor renders what a DeviceClient reports'),
    up('cli', 'os|sdk|tui|commands', 'the base command knows nothing of specific commands'),
    {
      name: 'commands-import-os',
      comment: 'commands talk to a device through the DeviceClient (src/device), never to the simulator internals',
      severity: 'error',
      from: {path: '^src/commands(/|\\.)'},
      to: {path: '^src/os(/|\\.)'},
    },
    up('os/(hw|kernel|lsm|storage)', 'os/runtime|os/services', 'kernel-side code never imports the runtime or services above it'),
    up('os/(hw|kernel|lsm|storage|runtime|services)', 'os/rest|os/device|os/daemon', 'the OS parts never import the device wiring or the REST API above them'),
    up('os/device', 'os/rest|os/daemon', 'the device wiring never imports the REST API served over it'),
    up('os/rest', 'os/daemon', 'the REST API never imports the daemon process'),
    up('os/runtime', 'os/services', 'the runtime never imports services'),
    up('os/hw', 'os/kernel|os/lsm|os/storage', 'hardware models are the bottom of the OS'),
  ],
  options: {
    doNotFollow: {path: 'node_modules'},
    tsPreCompilationDeps: true,
    tsConfig: {fileName: 'tsconfig.json'},
    moduleSystems: ['es6'],
  },
}
