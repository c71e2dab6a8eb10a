import DeviceMonitor from './device/monitor.js'

export default class Monitor extends DeviceMonitor {
  static override summary = 'Watch a device live (alias of `device monitor`)'
  static override examples = ['<%= config.bin %> monitor', '<%= config.bin %> monitor --once -o json']
}
