import {configImports, systemImports} from '../applibs/index.js'
import {peripheralGroup} from '../applibs/peripherals.js'
import {storageGroup} from '../applibs/storage.js'
import {networkingImports} from '../networking.js'
import {sphereGroup} from '../sphere.js'
import {wasiGroup} from '../wasi.js'
import {SyscallTable} from './dispatch.js'
import {socketGroup} from './sockets.js'
import {syscall, type SyscallGroup} from './types.js'

export const PENDING_NETWORKING: [string, string][] = [
  ['networking_is_ready', 'uint8_t *out'],
  ['networking_get_interface_count', ''],
  ['networking_get_interfaces', 'void *out, uint32_t count'],
  ['networking_set_interface_state', 'const char *name, uint32_t len, int32_t enabled'],
  ['networking_get_interface_connection_status', 'const char *name, uint32_t len, uint32_t *out'],
  ['networking_ip_config_apply', 'const char *name, uint32_t len, const void *config'],
  ['networking_ip_release', 'const char *name, uint32_t len'],
  ['networking_ip_renew', 'const char *name, uint32_t len'],
  ['networking_sntp_server_start', 'const char *name, uint32_t len'],
  ['networking_dhcp_server_start', 'const char *name, uint32_t len, const void *config'],
  ['networking_set_hardware_address', 'const char *name, uint32_t len, const uint8_t *address, uint32_t addressLen'],
  ['networking_get_hardware_address', 'const char *name, uint32_t len, uint8_t *out'],
  ['networking_timesync_set_enabled', 'int32_t enabled'],
  ['networking_timesync_get_enabled', 'uint8_t *out'],
  ['networking_timesync_enable_default_ntp', ''],
  ['networking_timesync_enable_automatic_ntp', 'uint32_t option'],
  ['networking_timesync_enable_custom_ntp', 'const char *primary, uint32_t primaryLen, const char *secondary, uint32_t secondaryLen, uint32_t option'],
  ['networking_proxy_get_status', 'uint32_t *out'],
]
export const PENDING_SYSTEM: [string, string][] = [
  ['app_connect', 'const char *componentId, uint32_t len'],
  ['power_restart', ''],
  ['power_down', 'uint32_t maximumResidencySeconds'],
  ['power_set_profile', 'uint32_t profile'],
  ['sysevent_open', 'uint32_t eventMask'],
  ['sysevent_read', 'int32_t fd, void *out'],
  ['sysevent_defer', 'uint32_t event, uint32_t minutes'],
  ['sysevent_resume', 'uint32_t event'],
  ['rtc_systohc', ''],
]
export const PENDING_CONFIG: [string, string][] = [
  ['certstore_install_client_certificate', 'const char *id, uint32_t idLen, const char *cert, uint32_t certLen, const char *key, uint32_t keyLen, const char *password, uint32_t passwordLen'],
  ['certstore_install_root_ca_certificate', 'const char *id, uint32_t idLen, const char *cert, uint32_t certLen'],
  ['certstore_delete_certificate', 'const char *id, uint32_t idLen'],
  ['certstore_get_certificate_count', ''],
  ['certstore_get_certificate_identifier_at', 'uint32_t index, char *out, uint32_t cap'],
  ['certstore_get_available_space', ''],
  ['certstore_get_certificate_info', 'const char *id, uint32_t idLen, uint32_t field, void *out, uint32_t size'],
  ['certstore_move_certificate', 'const char *oldId, uint32_t oldLen, const char *newId, uint32_t newLen'],
  ['wificonfig_forget_network_by_id', 'int32_t id'],
  ['wificonfig_forget_all_networks', ''],
  ['wificonfig_get_stored_network_count', ''],
  ['wificonfig_get_stored_networks', 'void *out, uint32_t count'],
  ['wificonfig_get_current_network', 'void *out'],
  ['wificonfig_get_connected_network_id', ''],
  ['wificonfig_trigger_scan', ''],
  ['wificonfig_get_scanned_networks', 'void *out, uint32_t count'],
  ['wificonfig_add_network', ''],
  ['wificonfig_add_duplicate_network', 'int32_t id, const char *name, uint32_t len'],
  ['wificonfig_set_ssid', 'int32_t id, const uint8_t *ssid, uint32_t len'],
  ['wificonfig_set_security_type', 'int32_t id, int32_t type'],
  ['wificonfig_set_psk', 'int32_t id, const char *psk, uint32_t len'],
  ['wificonfig_set_network_enabled', 'int32_t id, int32_t enabled'],
  ['wificonfig_set_targeted_scan_enabled', 'int32_t id, int32_t enabled'],
  ['wificonfig_set_config_name', 'int32_t id, const char *name, uint32_t len'],
  ['wificonfig_get_network_id_by_config_name', 'const char *name, uint32_t len'],
  ['wificonfig_set_client_identity', 'int32_t id, const char *identity, uint32_t len'],
  ['wificonfig_get_client_identity', 'int32_t id, char *out, uint32_t cap'],
  ['wificonfig_set_client_cert_store_identifier', 'int32_t id, const char *certId, uint32_t len'],
  ['wificonfig_get_client_cert_store_identifier', 'int32_t id, char *out, uint32_t cap'],
  ['wificonfig_set_root_ca_cert_store_identifier', 'int32_t id, const char *certId, uint32_t len'],
  ['wificonfig_get_root_ca_cert_store_identifier', 'int32_t id, char *out, uint32_t cap'],
  ['wificonfig_persist_config', ''],
  ['wificonfig_reload_config', ''],
  ['wificonfig_set_power_savings_enabled', 'int32_t enabled'],
]

const pending = (source: string, bind: SyscallGroup['bind'], list: [string, string][]): SyscallGroup => ({
  source,
  bind,
  entries: list.map(([name, params]) =>
    syscall('applibs', name, params, {policy: {inImpl: 'checked by the implementation'}, doc: name}),
  ),
})

/** The syscall table: every import an app may use, once. */
export const SYSCALLS = new SyscallTable([
  wasiGroup,
  sphereGroup,
  socketGroup,
  storageGroup,
  peripheralGroup,
  pending('src/os/runtime/networking.ts', networkingImports, PENDING_NETWORKING),
  pending('src/os/runtime/applibs/system.ts', systemImports, PENDING_SYSTEM),
  pending('src/os/runtime/applibs/config.ts', configImports, PENDING_CONFIG),
])
