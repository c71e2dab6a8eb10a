/* sphere-sdk libapplibs: the WebAssembly imports of the app ABI (sdk/ABI.md) and helpers shared by the
   library sources. Not installed: apps include the public headers only. */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SPHERE_IMPORT(module, name) __attribute__((import_module(module), import_name(name)))
#define APPLIBS(name) SPHERE_IMPORT("applibs", name)
#define SPHERE(name) SPHERE_IMPORT("sphere", name)

/* The applibs API functions (those the public applibs headers declare) are weak definitions. On the device
   they live in the shared library libapplibs.so, so an app that defines one itself (the ExternalMcuLowPower
   sample's own Log_Debug, which also writes to a debug UART) interposes on it: every call, the library's own
   included, reaches the app's definition. In a static libapplibs.a the same definition would be a duplicate
   symbol; a weak one gives the shared library's rule. */
#define SPHERE_API __attribute__((weak))

/* ---- generated from the syscall table (src/os/runtime/syscalls): run node scripts/gen-abi.mjs ---- */
/* module "sphere": Linux calls wasi-libc lacks */
SPHERE("timerfd_create") int32_t __sphere_timerfd_create(int32_t clockid, int32_t flags);
SPHERE("timerfd_settime") int32_t __sphere_timerfd_settime(int32_t fd, int32_t flags, const void *newValue, void *oldValue);
SPHERE("timerfd_gettime") int32_t __sphere_timerfd_gettime(int32_t fd, void *curValue);
SPHERE("eventfd") int32_t __sphere_eventfd(uint32_t initval, int32_t flags);
SPHERE("epoll_create1") int32_t __sphere_epoll_create1(int32_t flags);
SPHERE("epoll_ctl") int32_t __sphere_epoll_ctl(int32_t epfd, int32_t op, int32_t fd, void *event);
SPHERE("epoll_wait") int32_t __sphere_epoll_wait(int32_t epfd, void *events, int32_t maxevents, int32_t timeoutMs);
SPHERE("sig_register") int32_t __sphere_sig_register(volatile uint32_t *pending);
SPHERE("getpid") int32_t __sphere_getpid(void);
SPHERE("kill") int32_t __sphere_kill(int32_t pid, int32_t sig);
SPHERE("setjmp") int32_t __sphere_setjmp(void *env);
SPHERE("longjmp") int32_t __sphere_longjmp(void *env, int32_t value);
SPHERE("clock_settime") int32_t __sphere_clock_settime(int32_t clockid, const void *ts);
SPHERE("socket") int32_t __sphere_socket(int32_t domain, int32_t type, int32_t protocol);
SPHERE("connect") int32_t __sphere_connect(int32_t fd, const void *addr, uint32_t addrlen);
SPHERE("bind") int32_t __sphere_bind(int32_t fd, const void *addr, uint32_t addrlen);
SPHERE("listen") int32_t __sphere_listen(int32_t fd, int32_t backlog);
SPHERE("accept") int32_t __sphere_accept(int32_t fd, void *addr, uint32_t *addrlen, int32_t flags);
SPHERE("shutdown") int32_t __sphere_shutdown(int32_t fd, int32_t how);
SPHERE("getsockname") int32_t __sphere_getsockname(int32_t fd, void *addr, uint32_t *addrlen);
SPHERE("getpeername") int32_t __sphere_getpeername(int32_t fd, void *addr, uint32_t *addrlen);
SPHERE("sendto") int32_t __sphere_sendto(int32_t fd, const void *buf, uint32_t len, int32_t flags, const void *addr, uint32_t addrlen);
SPHERE("recvfrom") int32_t __sphere_recvfrom(int32_t fd, void *buf, uint32_t len, int32_t flags, void *addr, uint32_t *addrlen);
SPHERE("setsockopt") int32_t __sphere_setsockopt(int32_t fd, int32_t level, int32_t name, const void *val, uint32_t len);
SPHERE("getsockopt") int32_t __sphere_getsockopt(int32_t fd, int32_t level, int32_t name, void *val, uint32_t *len);
SPHERE("resolve") int32_t __sphere_resolve(const char *name, uint32_t len, uint32_t *addrs, uint32_t max);
SPHERE("tls_ctx_new") int32_t __sphere_tls_ctx_new(int32_t method);
SPHERE("tls_ctx_free") int32_t __sphere_tls_ctx_free(int32_t ctx);
SPHERE("tls_ctx_load_verify") int32_t __sphere_tls_ctx_load_verify(int32_t ctx, const char *path, uint32_t len);
SPHERE("tls_ctx_set_verify") int32_t __sphere_tls_ctx_set_verify(int32_t ctx, int32_t mode);
SPHERE("tls_new") int32_t __sphere_tls_new(int32_t ctx);
SPHERE("tls_free") int32_t __sphere_tls_free(int32_t ssl);
SPHERE("tls_set_fd") int32_t __sphere_tls_set_fd(int32_t ssl, int32_t fd);
SPHERE("tls_set_name") int32_t __sphere_tls_set_name(int32_t ssl, int32_t kind, const char *name, uint32_t len);
SPHERE("tls_connect") int32_t __sphere_tls_connect(int32_t ssl);
SPHERE("tls_read") int32_t __sphere_tls_read(int32_t ssl, void *buf, uint32_t len);
SPHERE("tls_write") int32_t __sphere_tls_write(int32_t ssl, const void *buf, uint32_t len);
SPHERE("tls_shutdown") int32_t __sphere_tls_shutdown(int32_t ssl);
SPHERE("curl_open") int32_t __sphere_curl_open(const void *req, uint32_t len);
SPHERE("curl_next") int32_t __sphere_curl_next(int32_t fd, void *buf, uint32_t cap);
SPHERE("iot_open") int32_t __sphere_iot_open(const void *req, uint32_t len);
SPHERE("iot_send") int32_t __sphere_iot_send(int32_t fd, uint32_t op, const void *buf, uint32_t len);
SPHERE("iot_next") int32_t __sphere_iot_next(int32_t fd, void *buf, uint32_t cap);
/* module "applibs": the Azure Sphere API */
APPLIBS("log_write") int32_t __applibs_log_write(const char *buf, uint32_t len);
APPLIBS("storage_open_mutable") int32_t __applibs_storage_open_mutable(void);
APPLIBS("storage_delete_mutable") int32_t __applibs_storage_delete_mutable(void);
APPLIBS("storage_open_in_package") int32_t __applibs_storage_open_in_package(const char *path, uint32_t len);
APPLIBS("storage_package_path") int32_t __applibs_storage_package_path(char *buf, uint32_t cap);
APPLIBS("gpio_open_input") int32_t __applibs_gpio_open_input(int32_t gpioId);
APPLIBS("gpio_open_output") int32_t __applibs_gpio_open_output(int32_t gpioId, int32_t outputMode, int32_t initialValue);
APPLIBS("gpio_get_value") int32_t __applibs_gpio_get_value(int32_t fd, uint8_t *outValue);
APPLIBS("gpio_set_value") int32_t __applibs_gpio_set_value(int32_t fd, int32_t value);
APPLIBS("uart_open") int32_t __applibs_uart_open(int32_t uartId, const void *config);
APPLIBS("i2c_open") int32_t __applibs_i2c_open(int32_t id);
APPLIBS("i2c_set_bus_speed") int32_t __applibs_i2c_set_bus_speed(int32_t fd, uint32_t hz);
APPLIBS("i2c_set_timeout") int32_t __applibs_i2c_set_timeout(int32_t fd, uint32_t ms);
APPLIBS("i2c_set_default_target_address") int32_t __applibs_i2c_set_default_target_address(int32_t fd, uint32_t address);
APPLIBS("i2c_transfer") int32_t __applibs_i2c_transfer(int32_t fd, uint32_t address, const uint8_t *writeData, uint32_t writeLen, uint8_t *readData, uint32_t readLen);
APPLIBS("spi_open") int32_t __applibs_spi_open(int32_t id, int32_t chipSelect, const void *config);
APPLIBS("spi_set_bus_speed") int32_t __applibs_spi_set_bus_speed(int32_t fd, uint32_t hz);
APPLIBS("spi_set_mode") int32_t __applibs_spi_set_mode(int32_t fd, int32_t mode);
APPLIBS("spi_set_bit_order") int32_t __applibs_spi_set_bit_order(int32_t fd, int32_t order);
APPLIBS("spi_transfer_sequential") int32_t __applibs_spi_transfer_sequential(int32_t fd, const void *transfers, uint32_t count);
APPLIBS("adc_open") int32_t __applibs_adc_open(uint32_t id);
APPLIBS("adc_get_sample_bit_count") int32_t __applibs_adc_get_sample_bit_count(int32_t fd, uint32_t channel);
APPLIBS("adc_set_reference_voltage") int32_t __applibs_adc_set_reference_voltage(int32_t fd, uint32_t channel, float volts);
APPLIBS("adc_poll") int32_t __applibs_adc_poll(int32_t fd, uint32_t channel, uint32_t *outValue);
APPLIBS("pwm_open") int32_t __applibs_pwm_open(uint32_t id);
APPLIBS("pwm_apply") int32_t __applibs_pwm_apply(int32_t fd, uint32_t channel, const void *state);
APPLIBS("networking_is_ready") int32_t __applibs_networking_is_ready(uint8_t *out);
APPLIBS("networking_get_interface_count") int32_t __applibs_networking_get_interface_count(void);
APPLIBS("networking_get_interfaces") int32_t __applibs_networking_get_interfaces(void *out, uint32_t count);
APPLIBS("networking_set_interface_state") int32_t __applibs_networking_set_interface_state(const char *name, uint32_t len, int32_t enabled);
APPLIBS("networking_get_interface_connection_status") int32_t __applibs_networking_get_interface_connection_status(const char *name, uint32_t len, uint32_t *out);
APPLIBS("networking_get_interface_address") int32_t __applibs_networking_get_interface_address(const char *name, uint32_t len, uint32_t *out);
APPLIBS("networking_ip_config_apply") int32_t __applibs_networking_ip_config_apply(const char *name, uint32_t len, const void *config);
APPLIBS("networking_ip_release") int32_t __applibs_networking_ip_release(const char *name, uint32_t len);
APPLIBS("networking_ip_renew") int32_t __applibs_networking_ip_renew(const char *name, uint32_t len);
APPLIBS("networking_timesync_set_enabled") int32_t __applibs_networking_timesync_set_enabled(int32_t enabled);
APPLIBS("networking_timesync_get_enabled") int32_t __applibs_networking_timesync_get_enabled(uint8_t *out);
APPLIBS("networking_timesync_enable_default_ntp") int32_t __applibs_networking_timesync_enable_default_ntp(void);
APPLIBS("networking_timesync_enable_automatic_ntp") int32_t __applibs_networking_timesync_enable_automatic_ntp(uint32_t option);
APPLIBS("networking_timesync_enable_custom_ntp") int32_t __applibs_networking_timesync_enable_custom_ntp(const char *primary, uint32_t primaryLen, const char *secondary, uint32_t secondaryLen, uint32_t option);
APPLIBS("networking_timesync_get_last_ntp_sync_info") int32_t __applibs_networking_timesync_get_last_ntp_sync_info(char *server, uint32_t *inOutLen, void *before, void *ntpTime);
APPLIBS("networking_sntp_server_start") int32_t __applibs_networking_sntp_server_start(const char *name, uint32_t len);
APPLIBS("networking_dhcp_server_start") int32_t __applibs_networking_dhcp_server_start(const char *name, uint32_t len, const void *config);
APPLIBS("networking_set_hardware_address") int32_t __applibs_networking_set_hardware_address(const char *name, uint32_t len, const uint8_t *address, uint32_t addressLen);
APPLIBS("networking_get_hardware_address") int32_t __applibs_networking_get_hardware_address(const char *name, uint32_t len, uint8_t *out);
APPLIBS("networking_proxy_apply") int32_t __applibs_networking_proxy_apply(const void *config);
APPLIBS("networking_proxy_get") int32_t __applibs_networking_proxy_get(void *config);
APPLIBS("networking_proxy_get_status") int32_t __applibs_networking_proxy_get_status(uint32_t *out);
APPLIBS("app_connect") int32_t __applibs_app_connect(const char *componentId, uint32_t len);
APPLIBS("application_is_device_auth_ready") int32_t __applibs_application_is_device_auth_ready(uint8_t *out);
APPLIBS("applications_get_memory_info") int32_t __applibs_applications_get_memory_info(uint32_t attribute);
APPLIBS("applications_get_os_version") int32_t __applibs_applications_get_os_version(char *buf, uint32_t cap);
APPLIBS("power_restart") int32_t __applibs_power_restart(void);
APPLIBS("power_down") int32_t __applibs_power_down(uint32_t maximumResidencySeconds);
APPLIBS("power_set_profile") int32_t __applibs_power_set_profile(uint32_t profile);
APPLIBS("sysevent_open") int32_t __applibs_sysevent_open(uint32_t eventMask);
APPLIBS("sysevent_read") int32_t __applibs_sysevent_read(int32_t fd, void *out);
APPLIBS("sysevent_defer") int32_t __applibs_sysevent_defer(uint32_t event, uint32_t minutes);
APPLIBS("sysevent_resume") int32_t __applibs_sysevent_resume(uint32_t event);
APPLIBS("rtc_systohc") int32_t __applibs_rtc_systohc(void);
APPLIBS("certstore_install_client_certificate") int32_t __applibs_certstore_install_client_certificate(const char *id, uint32_t idLen, const char *cert, uint32_t certLen, const char *key, uint32_t keyLen, const char *password, uint32_t passwordLen);
APPLIBS("certstore_install_root_ca_certificate") int32_t __applibs_certstore_install_root_ca_certificate(const char *id, uint32_t idLen, const char *cert, uint32_t certLen);
APPLIBS("certstore_delete_certificate") int32_t __applibs_certstore_delete_certificate(const char *id, uint32_t idLen);
APPLIBS("certstore_get_certificate_count") int32_t __applibs_certstore_get_certificate_count(void);
APPLIBS("certstore_get_certificate_identifier_at") int32_t __applibs_certstore_get_certificate_identifier_at(uint32_t index, char *out, uint32_t cap);
APPLIBS("certstore_get_available_space") int32_t __applibs_certstore_get_available_space(void);
APPLIBS("certstore_get_certificate_info") int32_t __applibs_certstore_get_certificate_info(const char *id, uint32_t idLen, uint32_t field, void *out, uint32_t size);
APPLIBS("certstore_move_certificate") int32_t __applibs_certstore_move_certificate(const char *oldId, uint32_t oldLen, const char *newId, uint32_t newLen);
APPLIBS("wificonfig_get_stored_network_count") int32_t __applibs_wificonfig_get_stored_network_count(void);
APPLIBS("wificonfig_get_stored_networks") int32_t __applibs_wificonfig_get_stored_networks(void *out, uint32_t count);
APPLIBS("wificonfig_get_current_network") int32_t __applibs_wificonfig_get_current_network(void *out);
APPLIBS("wificonfig_get_connected_network_id") int32_t __applibs_wificonfig_get_connected_network_id(void);
APPLIBS("wificonfig_trigger_scan") int32_t __applibs_wificonfig_trigger_scan(void);
APPLIBS("wificonfig_get_scanned_networks") int32_t __applibs_wificonfig_get_scanned_networks(void *out, uint32_t count);
APPLIBS("wificonfig_add_network") int32_t __applibs_wificonfig_add_network(void);
APPLIBS("wificonfig_add_duplicate_network") int32_t __applibs_wificonfig_add_duplicate_network(int32_t id, const char *name, uint32_t len);
APPLIBS("wificonfig_set_ssid") int32_t __applibs_wificonfig_set_ssid(int32_t id, const uint8_t *ssid, uint32_t len);
APPLIBS("wificonfig_set_security_type") int32_t __applibs_wificonfig_set_security_type(int32_t id, int32_t type);
APPLIBS("wificonfig_set_psk") int32_t __applibs_wificonfig_set_psk(int32_t id, const char *psk, uint32_t len);
APPLIBS("wificonfig_set_network_enabled") int32_t __applibs_wificonfig_set_network_enabled(int32_t id, int32_t enabled);
APPLIBS("wificonfig_set_targeted_scan_enabled") int32_t __applibs_wificonfig_set_targeted_scan_enabled(int32_t id, int32_t enabled);
APPLIBS("wificonfig_set_config_name") int32_t __applibs_wificonfig_set_config_name(int32_t id, const char *name, uint32_t len);
APPLIBS("wificonfig_get_network_id_by_config_name") int32_t __applibs_wificonfig_get_network_id_by_config_name(const char *name, uint32_t len);
APPLIBS("wificonfig_set_client_identity") int32_t __applibs_wificonfig_set_client_identity(int32_t id, const char *identity, uint32_t len);
APPLIBS("wificonfig_get_client_identity") int32_t __applibs_wificonfig_get_client_identity(int32_t id, char *out, uint32_t cap);
APPLIBS("wificonfig_set_client_cert_store_identifier") int32_t __applibs_wificonfig_set_client_cert_store_identifier(int32_t id, const char *certId, uint32_t len);
APPLIBS("wificonfig_get_client_cert_store_identifier") int32_t __applibs_wificonfig_get_client_cert_store_identifier(int32_t id, char *out, uint32_t cap);
APPLIBS("wificonfig_set_root_ca_cert_store_identifier") int32_t __applibs_wificonfig_set_root_ca_cert_store_identifier(int32_t id, const char *certId, uint32_t len);
APPLIBS("wificonfig_get_root_ca_cert_store_identifier") int32_t __applibs_wificonfig_get_root_ca_cert_store_identifier(int32_t id, char *out, uint32_t cap);
APPLIBS("wificonfig_forget_network_by_id") int32_t __applibs_wificonfig_forget_network_by_id(int32_t id);
APPLIBS("wificonfig_forget_all_networks") int32_t __applibs_wificonfig_forget_all_networks(void);
APPLIBS("wificonfig_persist_config") int32_t __applibs_wificonfig_persist_config(void);
APPLIBS("wificonfig_reload_config") int32_t __applibs_wificonfig_reload_config(void);
APPLIBS("wificonfig_set_power_savings_enabled") int32_t __applibs_wificonfig_set_power_savings_enabled(int32_t enabled);
APPLIBS("wificonfig_get_network_diagnostics") int32_t __applibs_wificonfig_get_network_diagnostics(int32_t id, void *out);
/* ---- end of generated declarations ---- */

/* ---- helpers ---- */

/** Pending-signal bitmask the kernel ORs bits into (registered on first sigaction/signal). */
extern volatile uint32_t __sphere_signals_pending;
/** Runs the handlers of pending signals (errno preserved). */
void __sphere_dispatch_signals(void);

/** Runs pending signal handlers, if any: called after every import that can block. */
static inline void __sphere_after_blocking_call(void)
{
    if (__sphere_signals_pending != 0) {
        __sphere_dispatch_signals();
    }
}

/** The return convention: r >= 0 is a value; r < 0 is -errno -> errno set, -1 returned. */
static inline int32_t __sphere_ret(int32_t r)
{
    if (r < 0) {
        errno = -r;
        return -1;
    }
    return r;
}

/** Same, for calls that can block (runs pending signal handlers first). */
static inline int32_t __sphere_ret_blocking(int32_t r)
{
    __sphere_after_blocking_call();
    return __sphere_ret(r);
}

/** Fails with EFAULT when p is NULL. */
#define SPHERE_REQUIRE_PTR(p)  \
    do {                       \
        if ((p) == NULL) {     \
            errno = EFAULT;    \
            return -1;         \
        }                      \
    } while (0)

/** strlen that tolerates NULL (0). */
static inline uint32_t __sphere_strlen(const char *s)
{
    return s == NULL ? 0 : (uint32_t)strlen(s);
}
