/**
 * The app ABI (sdk/ABI.md) as data: import modules an app may use, and the exact signature of every
 * import the runtime implements. Imports the runtime does not implement are still linked (ENOSYS stubs).
 */
export const ABI_MODULES = ['wasi_snapshot_preview1', 'sphere', 'applibs'] as const
export type AbiModule = (typeof ABI_MODULES)[number]

type Sig = string // params '->' results, each a string of 'i' (i32) / 'I' (i64)

const wasi: Record<string, Sig> = {
  args_get: 'ii->i',
  args_sizes_get: 'ii->i',
  environ_get: 'ii->i',
  environ_sizes_get: 'ii->i',
  clock_res_get: 'ii->i',
  clock_time_get: 'iIi->i',
  fd_close: 'i->i',
  fd_fdstat_get: 'ii->i',
  fd_fdstat_set_flags: 'ii->i',
  fd_filestat_get: 'ii->i',
  fd_prestat_get: 'ii->i',
  fd_prestat_dir_name: 'iii->i',
  fd_read: 'iiii->i',
  fd_seek: 'iIii->i',
  fd_sync: 'i->i',
  fd_tell: 'ii->i',
  fd_write: 'iiii->i',
  path_open: 'iiiiiIIii->i',
  path_filestat_get: 'iiiii->i',
  path_unlink_file: 'iii->i',
  poll_oneoff: 'iiii->i',
  proc_exit: 'i->',
  random_get: 'ii->i',
  sched_yield: '->i',
}

const sphere: Record<string, Sig> = {
  timerfd_create: 'ii->i',
  timerfd_settime: 'iiii->i',
  timerfd_gettime: 'ii->i',
  eventfd: 'ii->i',
  epoll_create1: 'i->i',
  epoll_ctl: 'iiii->i',
  epoll_wait: 'iiii->i',
  sig_register: 'i->i',
  socket: 'iii->i',
  connect: 'iii->i',
  bind: 'iii->i',
  listen: 'ii->i',
  sendto: 'iiiiii->i',
  recvfrom: 'iiiiii->i',
  setsockopt: 'iiiii->i',
  getsockopt: 'iiiii->i',
  getpid: '->i',
  kill: 'ii->i',
  clock_settime: 'ii->i',
  accept: 'iiii->i',
  shutdown: 'ii->i',
  getsockname: 'iii->i',
  getpeername: 'iii->i',
}

const applibs: Record<string, Sig> = {
  log_write: 'ii->i',
  gpio_open_input: 'i->i',
  gpio_open_output: 'iii->i',
  gpio_get_value: 'ii->i',
  gpio_set_value: 'ii->i',
  storage_open_mutable: '->i',
  storage_delete_mutable: '->i',
  storage_open_in_package: 'ii->i',
  app_connect: 'ii->i',
  networking_is_ready: 'i->i',
  networking_get_interface_count: '->i',
  networking_get_interfaces: 'ii->i',
  networking_set_interface_state: 'iii->i',
  networking_get_interface_connection_status: 'iii->i',
  networking_ip_config_apply: 'iii->i',
  networking_ip_release: 'ii->i',
  networking_ip_renew: 'ii->i',
  networking_sntp_server_start: 'ii->i',
  networking_dhcp_server_start: 'iii->i',
  networking_set_hardware_address: 'iiii->i',
  networking_get_hardware_address: 'iii->i',
  networking_timesync_set_enabled: 'i->i',
  networking_timesync_get_enabled: 'i->i',
  networking_timesync_enable_default_ntp: '->i',
  networking_timesync_enable_automatic_ntp: 'i->i',
  networking_timesync_enable_custom_ntp: 'iiiii->i',
  networking_proxy_get_status: 'i->i',
  power_restart: '->i',
  power_down: 'i->i',
  // peripherals and system services (src/os/runtime/applibs)
  uart_open: 'ii->i',
  i2c_open: 'i->i',
  i2c_set_bus_speed: 'ii->i',
  i2c_set_timeout: 'ii->i',
  i2c_set_default_target_address: 'ii->i',
  i2c_transfer: 'iiiiii->i',
  spi_open: 'iii->i',
  spi_set_bus_speed: 'ii->i',
  spi_set_mode: 'ii->i',
  spi_set_bit_order: 'ii->i',
  spi_transfer_sequential: 'iii->i',
  adc_open: 'i->i',
  adc_get_sample_bit_count: 'ii->i',
  adc_set_reference_voltage: 'iif->i',
  adc_poll: 'iii->i',
  pwm_open: 'i->i',
  pwm_apply: 'iii->i',
  power_set_profile: 'i->i',
  sysevent_open: 'i->i',
  sysevent_read: 'ii->i',
  sysevent_defer: 'ii->i',
  sysevent_resume: 'i->i',
  rtc_systohc: '->i',
}

export const ABI_SIGNATURES: Record<AbiModule, Record<string, Sig>> = {wasi_snapshot_preview1: wasi, sphere, applibs}

/** Encode a wasm function type as a signature string ('ii->i'). */
export function sigOf(params: readonly number[], results: readonly number[]): string {
  const c = (t: number): string => (t === 0x7f ? 'i' : t === 0x7e ? 'I' : t === 0x7d ? 'f' : t === 0x7c ? 'F' : '?')
  return `${params.map(c).join('')}->${results.map(c).join('')}`
}

export function isAbiModule(m: string): m is AbiModule {
  return (ABI_MODULES as readonly string[]).includes(m)
}
