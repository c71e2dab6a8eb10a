// Layer order (see ARCHITECTURE.md). Data flows top to bottom; nothing imports upward.
//   commands -> cli -> tui | device | sdk -> protocol | image -> util
//   os (the simulated device) -> protocol | image | util, and never the host-side layers.
//   commands reach a device through src/device (the REST client), never src/os.
//   scenario (the `sphere test` runner) drives an in-process simulated Device: commands -> scenario -> os | sdk | image | protocol | util;
//   nothing but commands imports it.
//   fleet (`sphere fleet` shards) likewise: commands -> fleet -> os | scenario | image | protocol | util.
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
    up('util', 'protocol|image|os|device|sdk|tui|cli|commands|scenario', 'util is the bottom layer'),
    up('protocol', 'image|os|device|sdk|tui|cli|commands|scenario', 'wire formats depend on nothing above'),
    up('image', 'protocol|os|device|sdk|tui|cli|commands|scenario', 'image packages are pure data'),
    up('os', 'device|sdk|tui|cli|commands|scenario', 'the simulated device never imports host-side code'),
    up('device', 'os|sdk|tui|cli|commands|scenario', 'the device client talks to any device over a transport, never to simulator internals'),
    up('sdk', 'os|device|tui|cli|commands|scenario', 'the SDK builds apps; it does not drive devices'),
    up('tui', 'os|sdk|cli|commands|scenario', 'the monitor renders what a DeviceClient reports'),
    up('cli', 'os|sdk|tui|commands|scenario', 'the base command knows nothing of specific commands'),
    up('scenario', 'device|tui|cli|commands', 'the scenario runner drives a Device in-process; it knows no CLI and no transport'),
    up('hub', 'os|device|sdk|tui|cli|commands|scenario|image', 'the local IoT hub is a service of its own: it knows no device internals and no CLI'),
    up('device|sdk|tui|cli|scenario|protocol|image|util', 'hub', 'only commands (and the OS, through src/hub/index.ts) use the local IoT hub'),
    {
      name: 'os-imports-hub-internals',
      comment: 'the OS reaches the local IoT hub through its API (src/hub/index.ts) only',
      severity: 'error',
      from: {path: '^src/os(/|\\.)'},
      to: {path: '^src/hub/', pathNot: '^src/hub/index\\.ts$'},
    },
    // fleet (src/fleet: the shard processes of `sphere fleet`) holds in-process Devices like scenario; only commands import it
    up('fleet', 'device|sdk|tui|cli|commands', 'a fleet shard serves in-process Devices; it knows no CLI and no host-side transport'),
    {
      name: 'layer-fleet-imported-from-below',
      comment: 'only commands import the fleet shards (the host side reaches them through src/device/fleet.ts)',
      severity: 'error',
      from: {path: '^src/(util|protocol|image|os|device|sdk|tui|cli|scenario)(/|\\.)'},
      to: {path: '^src/fleet(/|\\.)'},
    },
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
    up('os/(hw|kernel|lsm|storage|runtime|services|device|rest)', 'os/replay', 'record / replay sits above the REST API it replays requests into'),
    up('os/replay', 'os/daemon', 'record / replay never imports the daemon process'),
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
