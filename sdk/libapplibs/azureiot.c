/* sphere-sdk libapplibs: the Azure IoT C SDK, the OS's library (iothub_device_client_ll.h, iothub_message.h,
   prov_device_ll_client.h, azure_sphere_provisioning.h, map.h). This side keeps messages, properties and the
   app's callbacks; the client itself (MQTT 3.1.1 over TLS, IoT Hub's topics, DPS registration, the device
   certificate, retries) runs in the OS (src/os/runtime/azure-iot.ts), every connection a network access the
   firewall checks against AllowedConnections.

   iot_open hands the OS a client description (TLV: u32 tag, u32 length, bytes) and returns an fd;
   iot_send passes one request (an event, a reported state, a method answer, an option ...); iot_next returns one
   event at a time (u32 type, u32 length, payload) without blocking. DoWork drains the events and runs the
   callbacks on the app's thread, as the C SDK's LL client does. */
#include <azure_c_shared_utility/map.h>
#include <azure_c_shared_utility/threadapi.h>
#include <azure_prov_client/iothub_security_factory.h>
#include <azure_prov_client/prov_device_ll_client.h>
#include <azure_prov_client/prov_security_factory.h>
#include <azure_prov_client/prov_transport_mqtt_client.h>
#include <azureiot/azure_sphere_provisioning.h>
#include <azureiot/iothub.h>
#include <azureiot/iothub_client_options.h>
#include <azureiot/iothub_device_client_ll.h>
#include <azureiot/iothub_message.h>
#include <azureiot/iothubtransportmqtt.h>

#include <applibs/application.h>
#include <applibs/log.h>
#include <applibs/networking.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* ---- the wire (src/os/runtime/azure-iot.ts has the same numbers) ---- */
enum { K_HUB_DEVICE_AUTH = 1, K_CONNECTION_STRING = 2, K_DPS = 3 };
enum { T_KIND = 1, T_HOST, T_DEVICE_ID, T_CONNECTION_STRING, T_SCOPE_ID };
enum { OP_EVENT = 1, OP_REPORTED, OP_METHOD_RESPONSE, OP_OPTION, OP_SUBSCRIBE, OP_RETRY, OP_GET_TWIN, OP_REGISTER };
enum { M_BODY = 1, M_CONTENT_TYPE, M_CONTENT_ENCODING, M_MESSAGE_ID, M_CORRELATION_ID, M_PROPERTY, M_CONTEXT,
       M_KIND };
enum { EV_STATUS = 1, EV_CONFIRM, EV_REPORTED, EV_TWIN, EV_METHOD, EV_C2D, EV_REGISTERED, EV_REG_STATUS };
enum { SUB_C2D = 1, SUB_METHODS = 2, SUB_TWIN = 4 };
/* Option value kinds: what the OS reads after the option's name. */
enum { V_INT = 1, V_BOOL, V_STRING };

#define EVENT_BUFFER (66 * 1024)

/* ---- a growable byte buffer for requests ---- */
typedef struct {
    unsigned char *p;
    size_t len, cap;
    bool failed;
} Buf;

static void buf_put(Buf *b, const void *data, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->failed = true;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void buf_u32(Buf *b, uint32_t v)
{
    buf_put(b, &v, 4);
}

static void tlv(Buf *b, uint32_t tag, const void *data, size_t n)
{
    buf_u32(b, tag);
    buf_u32(b, (uint32_t)n);
    buf_put(b, data, n);
}

static void tlv_str(Buf *b, uint32_t tag, const char *s)
{
    if (s)
        tlv(b, tag, s, strlen(s));
}

static void tlv_u32(Buf *b, uint32_t tag, uint32_t v)
{
    tlv(b, tag, &v, 4);
}

static char *dup_str(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static char *dup_n(const unsigned char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

static uint32_t rd32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* ======================= Map_* ======================= */

struct MAP_HANDLE_DATA_TAG {
    char **keys;
    char **values;
    size_t count;
    MAP_FILTER_CALLBACK filter;
};

MAP_HANDLE Map_Create(MAP_FILTER_CALLBACK mapFilterFunc)
{
    MAP_HANDLE m = calloc(1, sizeof *m);
    if (m)
        m->filter = mapFilterFunc;
    return m;
}

void Map_Destroy(MAP_HANDLE handle)
{
    if (!handle)
        return;
    for (size_t i = 0; i < handle->count; i++) {
        free(handle->keys[i]);
        free(handle->values[i]);
    }
    free(handle->keys);
    free(handle->values);
    free(handle);
}

static ptrdiff_t map_find(MAP_HANDLE m, const char *key)
{
    for (size_t i = 0; i < m->count; i++)
        if (strcmp(m->keys[i], key) == 0)
            return (ptrdiff_t)i;
    return -1;
}

static MAP_RESULT map_put(MAP_HANDLE m, const char *key, const char *value, bool update)
{
    if (!m || !key || !value)
        return MAP_INVALIDARG;
    if (m->filter && m->filter(key, value) != 0)
        return MAP_FILTER_REJECT;
    ptrdiff_t i = map_find(m, key);
    if (i >= 0) {
        if (!update)
            return MAP_KEYEXISTS;
        char *v = dup_str(value);
        if (!v)
            return MAP_ERROR;
        free(m->values[i]);
        m->values[i] = v;
        return MAP_OK;
    }
    char **k = realloc(m->keys, (m->count + 1) * sizeof *k);
    if (!k)
        return MAP_ERROR;
    m->keys = k;
    char **v = realloc(m->values, (m->count + 1) * sizeof *v);
    if (!v)
        return MAP_ERROR;
    m->values = v;
    m->keys[m->count] = dup_str(key);
    m->values[m->count] = dup_str(value);
    if (!m->keys[m->count] || !m->values[m->count]) {
        free(m->keys[m->count]);
        free(m->values[m->count]);
        return MAP_ERROR;
    }
    m->count++;
    return MAP_OK;
}

MAP_RESULT Map_Add(MAP_HANDLE handle, const char *key, const char *value)
{
    return map_put(handle, key, value, false);
}

MAP_RESULT Map_AddOrUpdate(MAP_HANDLE handle, const char *key, const char *value)
{
    return map_put(handle, key, value, true);
}

MAP_RESULT Map_Delete(MAP_HANDLE handle, const char *key)
{
    if (!handle || !key)
        return MAP_INVALIDARG;
    ptrdiff_t i = map_find(handle, key);
    if (i < 0)
        return MAP_KEYNOTFOUND;
    free(handle->keys[i]);
    free(handle->values[i]);
    for (size_t j = (size_t)i; j + 1 < handle->count; j++) {
        handle->keys[j] = handle->keys[j + 1];
        handle->values[j] = handle->values[j + 1];
    }
    handle->count--;
    return MAP_OK;
}

MAP_RESULT Map_ContainsKey(MAP_HANDLE handle, const char *key, bool *keyExists)
{
    if (!handle || !key || !keyExists)
        return MAP_INVALIDARG;
    *keyExists = map_find(handle, key) >= 0;
    return MAP_OK;
}

MAP_RESULT Map_ContainsValue(MAP_HANDLE handle, const char *value, bool *valueExists)
{
    if (!handle || !value || !valueExists)
        return MAP_INVALIDARG;
    *valueExists = false;
    for (size_t i = 0; i < handle->count; i++)
        if (strcmp(handle->values[i], value) == 0)
            *valueExists = true;
    return MAP_OK;
}

const char *Map_GetValueFromKey(MAP_HANDLE handle, const char *key)
{
    if (!handle || !key)
        return NULL;
    ptrdiff_t i = map_find(handle, key);
    return i < 0 ? NULL : handle->values[i];
}

MAP_RESULT Map_GetInternals(MAP_HANDLE handle, const char *const **keys, const char *const **values,
                            size_t *count)
{
    if (!handle || !keys || !values || !count)
        return MAP_INVALIDARG;
    *keys = (const char *const *)handle->keys;
    *values = (const char *const *)handle->values;
    *count = handle->count;
    return MAP_OK;
}

MAP_HANDLE Map_Clone(MAP_HANDLE handle)
{
    if (!handle)
        return NULL;
    MAP_HANDLE m = Map_Create(handle->filter);
    for (size_t i = 0; m && i < handle->count; i++)
        if (map_put(m, handle->keys[i], handle->values[i], true) != MAP_OK) {
            Map_Destroy(m);
            return NULL;
        }
    return m;
}

/* ======================= IoTHubMessage_* ======================= */

struct IOTHUB_MESSAGE_HANDLE_DATA_TAG {
    IOTHUBMESSAGE_CONTENT_TYPE kind;
    unsigned char *data; /* always NUL-terminated one past size (GetString) */
    size_t size;
    char *contentType, *contentEncoding, *messageId, *correlationId, *inputName, *connectionDeviceId;
    bool security;
    MAP_HANDLE properties;
};

static IOTHUB_MESSAGE_HANDLE message_new(IOTHUBMESSAGE_CONTENT_TYPE kind, const void *data, size_t size)
{
    IOTHUB_MESSAGE_HANDLE m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->kind = kind;
    m->data = malloc(size + 1);
    m->properties = Map_Create(NULL);
    if (!m->data || !m->properties) {
        IoTHubMessage_Destroy(m);
        return NULL;
    }
    if (size)
        memcpy(m->data, data, size);
    m->data[size] = 0;
    m->size = size;
    return m;
}

IOTHUB_MESSAGE_HANDLE IoTHubMessage_CreateFromByteArray(const unsigned char *byteArray, size_t size)
{
    if (!byteArray && size != 0)
        return NULL;
    return message_new(IOTHUBMESSAGE_BYTEARRAY, byteArray, size);
}

IOTHUB_MESSAGE_HANDLE IoTHubMessage_CreateFromString(const char *source)
{
    if (!source)
        return NULL;
    return message_new(IOTHUBMESSAGE_STRING, source, strlen(source));
}

static int set_str(char **field, const char *v)
{
    char *d = dup_str(v);
    if (v && !d)
        return -1;
    free(*field);
    *field = d;
    return 0;
}

IOTHUB_MESSAGE_HANDLE IoTHubMessage_Clone(IOTHUB_MESSAGE_HANDLE h)
{
    if (!h)
        return NULL;
    IOTHUB_MESSAGE_HANDLE m = message_new(h->kind, h->data, h->size);
    if (!m)
        return NULL;
    Map_Destroy(m->properties);
    m->properties = Map_Clone(h->properties);
    if (!m->properties || set_str(&m->contentType, h->contentType) || set_str(&m->contentEncoding, h->contentEncoding) ||
        set_str(&m->messageId, h->messageId) || set_str(&m->correlationId, h->correlationId) ||
        set_str(&m->inputName, h->inputName) || set_str(&m->connectionDeviceId, h->connectionDeviceId)) {
        IoTHubMessage_Destroy(m);
        return NULL;
    }
    m->security = h->security;
    return m;
}

IOTHUB_MESSAGE_RESULT IoTHubMessage_GetByteArray(IOTHUB_MESSAGE_HANDLE h, const unsigned char **buffer, size_t *size)
{
    if (!h || !buffer || !size)
        return IOTHUB_MESSAGE_INVALID_ARG;
    if (h->kind != IOTHUBMESSAGE_BYTEARRAY)
        return IOTHUB_MESSAGE_INVALID_TYPE;
    *buffer = h->data;
    *size = h->size;
    return IOTHUB_MESSAGE_OK;
}

const char *IoTHubMessage_GetString(IOTHUB_MESSAGE_HANDLE h)
{
    return h && h->kind == IOTHUBMESSAGE_STRING ? (const char *)h->data : NULL;
}

IOTHUBMESSAGE_CONTENT_TYPE IoTHubMessage_GetContentType(IOTHUB_MESSAGE_HANDLE h)
{
    return h ? h->kind : IOTHUBMESSAGE_UNKNOWN;
}

#define STRING_PROPERTY(Name, field)                                                             \
    IOTHUB_MESSAGE_RESULT IoTHubMessage_Set##Name(IOTHUB_MESSAGE_HANDLE h, const char *v)        \
    {                                                                                            \
        if (!h || !v)                                                                            \
            return IOTHUB_MESSAGE_INVALID_ARG;                                                   \
        return set_str(&h->field, v) == 0 ? IOTHUB_MESSAGE_OK : IOTHUB_MESSAGE_ERROR;            \
    }                                                                                            \
    const char *IoTHubMessage_Get##Name(IOTHUB_MESSAGE_HANDLE h)                                 \
    {                                                                                            \
        return h ? h->field : NULL;                                                              \
    }

STRING_PROPERTY(ContentTypeSystemProperty, contentType)
STRING_PROPERTY(ContentEncodingSystemProperty, contentEncoding)
STRING_PROPERTY(MessageId, messageId)
STRING_PROPERTY(CorrelationId, correlationId)

const char *IoTHubMessage_GetOutputName(IOTHUB_MESSAGE_HANDLE h)
{
    (void)h;
    return NULL;
}

const char *IoTHubMessage_GetInputName(IOTHUB_MESSAGE_HANDLE h)
{
    return h ? h->inputName : NULL;
}

const char *IoTHubMessage_GetConnectionModuleId(IOTHUB_MESSAGE_HANDLE h)
{
    (void)h;
    return NULL;
}

const char *IoTHubMessage_GetConnectionDeviceId(IOTHUB_MESSAGE_HANDLE h)
{
    return h ? h->connectionDeviceId : NULL;
}

MAP_HANDLE IoTHubMessage_Properties(IOTHUB_MESSAGE_HANDLE h)
{
    return h ? h->properties : NULL;
}

IOTHUB_MESSAGE_RESULT IoTHubMessage_SetProperty(IOTHUB_MESSAGE_HANDLE h, const char *key, const char *value)
{
    if (!h || !key || !value)
        return IOTHUB_MESSAGE_INVALID_ARG;
    return Map_AddOrUpdate(h->properties, key, value) == MAP_OK ? IOTHUB_MESSAGE_OK : IOTHUB_MESSAGE_ERROR;
}

const char *IoTHubMessage_GetProperty(IOTHUB_MESSAGE_HANDLE h, const char *key)
{
    return h && key ? Map_GetValueFromKey(h->properties, key) : NULL;
}

IOTHUB_MESSAGE_RESULT IoTHubMessage_SetAsSecurityMessage(IOTHUB_MESSAGE_HANDLE h)
{
    if (!h)
        return IOTHUB_MESSAGE_INVALID_ARG;
    h->security = true;
    return IOTHUB_MESSAGE_OK;
}

bool IoTHubMessage_IsSecurityMessage(IOTHUB_MESSAGE_HANDLE h)
{
    return h && h->security;
}

void IoTHubMessage_Destroy(IOTHUB_MESSAGE_HANDLE h)
{
    if (!h)
        return;
    free(h->data);
    free(h->contentType);
    free(h->contentEncoding);
    free(h->messageId);
    free(h->correlationId);
    free(h->inputName);
    free(h->connectionDeviceId);
    Map_Destroy(h->properties);
    free(h);
}

/* ======================= platform odds and ends ======================= */

int IoTHub_Init(void)
{
    return 0;
}

void IoTHub_Deinit(void) {}

void ThreadAPI_Sleep(unsigned int milliseconds)
{
    struct timespec ts = {.tv_sec = milliseconds / 1000, .tv_nsec = (long)(milliseconds % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* The transports are names only: the OS speaks MQTT to IoT Hub and DPS. */
struct TRANSPORT_PROVIDER_TAG {
    int mqtt;
};
struct PROV_DEVICE_TRANSPORT_PROVIDER_TAG {
    int mqtt;
};
static const TRANSPORT_PROVIDER mqttTransport = {1};
static const PROV_DEVICE_TRANSPORT_PROVIDER provMqttTransport = {1};

const TRANSPORT_PROVIDER *MQTT_Protocol(void)
{
    return &mqttTransport;
}

const PROV_DEVICE_TRANSPORT_PROVIDER *Prov_Device_MQTT_Protocol(void)
{
    return &provMqttTransport;
}

static IOTHUB_SECURITY_TYPE iothubSecurity = IOTHUB_SECURITY_TYPE_UNKNOWN;
static SECURE_DEVICE_TYPE provSecurity = SECURE_DEVICE_TYPE_UNKNOWN;

/* Only X.509 (the device certificate) exists on Azure Sphere. */
int iothub_security_init(IOTHUB_SECURITY_TYPE sec_type)
{
    if (sec_type != IOTHUB_SECURITY_TYPE_X509)
        return __LINE__;
    iothubSecurity = sec_type;
    return 0;
}

void iothub_security_deinit(void)
{
    iothubSecurity = IOTHUB_SECURITY_TYPE_UNKNOWN;
}

IOTHUB_SECURITY_TYPE iothub_security_type(void)
{
    return iothubSecurity;
}

int prov_dev_security_init(SECURE_DEVICE_TYPE hsm_type)
{
    if (hsm_type != SECURE_DEVICE_TYPE_X509)
        return __LINE__;
    provSecurity = hsm_type;
    return 0;
}

void prov_dev_security_deinit(void)
{
    provSecurity = SECURE_DEVICE_TYPE_UNKNOWN;
}

SECURE_DEVICE_TYPE prov_dev_security_get_type(void)
{
    return provSecurity;
}

/* ======================= the device client ======================= */

typedef struct {
    uint32_t id;
    void *cb;
    void *ctx;
} Pending;

typedef struct {
    Pending *items;
    size_t count, cap;
} PendingList;

static bool pending_add(PendingList *l, uint32_t id, void *cb, void *ctx)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        Pending *p = realloc(l->items, cap * sizeof *p);
        if (!p)
            return false;
        l->items = p;
        l->cap = cap;
    }
    l->items[l->count++] = (Pending){id, cb, ctx};
    return true;
}

static bool pending_take(PendingList *l, uint32_t id, Pending *out)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].id == id) {
            *out = l->items[i];
            l->items[i] = l->items[--l->count];
            return true;
        }
    return false;
}

struct IOTHUB_CLIENT_CORE_LL_HANDLE_DATA_TAG {
    int32_t fd;
    uint32_t nextId;
    unsigned char *ev;
    IOTHUB_CLIENT_CONNECTION_STATUS_CALLBACK statusCb;
    void *statusCtx;
    IOTHUB_CLIENT_MESSAGE_CALLBACK_ASYNC messageCb;
    void *messageCtx;
    IOTHUB_CLIENT_DEVICE_TWIN_CALLBACK twinCb;
    void *twinCtx;
    IOTHUB_CLIENT_DEVICE_METHOD_CALLBACK_ASYNC methodCb;
    void *methodCtx;
    PendingList sends, reported, twinGets;
    IOTHUB_CLIENT_RETRY_POLICY retryPolicy;
    size_t retryTimeout;
    time_t lastReceive;
    bool inDoWork, destroyAfterDoWork;
};

static int32_t open_client(uint32_t kind, const char *host, const char *deviceId, const char *connectionString,
                           const char *scopeId)
{
    Buf b = {0};
    tlv_u32(&b, T_KIND, kind);
    tlv_str(&b, T_HOST, host);
    tlv_str(&b, T_DEVICE_ID, deviceId);
    tlv_str(&b, T_CONNECTION_STRING, connectionString);
    tlv_str(&b, T_SCOPE_ID, scopeId);
    int32_t fd = b.failed ? -ENOMEM : __sphere_iot_open(b.p, (uint32_t)b.len);
    free(b.p);
    if (fd < 0) {
        errno = -fd;
        return -1;
    }
    return fd;
}

static IOTHUB_DEVICE_CLIENT_LL_HANDLE client_new(uint32_t kind, const char *host, const char *deviceId,
                                                 const char *connectionString)
{
    IOTHUB_DEVICE_CLIENT_LL_HANDLE h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->ev = malloc(EVENT_BUFFER);
    h->nextId = 1;
    h->retryPolicy = IOTHUB_CLIENT_RETRY_EXPONENTIAL_BACKOFF_WITH_JITTER;
    h->fd = h->ev ? open_client(kind, host, deviceId, connectionString, NULL) : -1;
    if (h->fd < 0) {
        free(h->ev);
        free(h);
        return NULL;
    }
    return h;
}

static int32_t send_op(int32_t fd, uint32_t op, const Buf *b)
{
    if (b->failed)
        return -ENOMEM;
    return __sphere_iot_send(fd, op, b->p, (uint32_t)b->len);
}

IOTHUB_DEVICE_CLIENT_LL_HANDLE IoTHubDeviceClient_LL_CreateFromConnectionString(
    const char *connectionString, IOTHUB_CLIENT_TRANSPORT_PROVIDER protocol)
{
    if (!connectionString || !protocol)
        return NULL;
    return client_new(K_CONNECTION_STRING, NULL, NULL, connectionString);
}

IOTHUB_DEVICE_CLIENT_LL_HANDLE IoTHubDeviceClient_LL_Create(const IOTHUB_CLIENT_CONFIG *config)
{
    if (!config || !config->iotHubName || !config->iotHubSuffix || !config->deviceId)
        return NULL;
    char cs[1024];
    int n;
    if (config->deviceSasToken)
        n = snprintf(cs, sizeof cs, "HostName=%s.%s;DeviceId=%s;SharedAccessSignature=%s", config->iotHubName,
                     config->iotHubSuffix, config->deviceId, config->deviceSasToken);
    else if (config->deviceKey)
        n = snprintf(cs, sizeof cs, "HostName=%s.%s;DeviceId=%s;SharedAccessKey=%s", config->iotHubName,
                     config->iotHubSuffix, config->deviceId, config->deviceKey);
    else
        n = snprintf(cs, sizeof cs, "HostName=%s.%s;DeviceId=%s;x509=true", config->iotHubName,
                     config->iotHubSuffix, config->deviceId);
    if (n < 0 || (size_t)n >= sizeof cs)
        return NULL;
    return client_new(K_CONNECTION_STRING, NULL, NULL, cs);
}

IOTHUB_DEVICE_CLIENT_LL_HANDLE IoTHubDeviceClient_LL_CreateFromDeviceAuth(const char *iothub_uri,
                                                                          const char *device_id,
                                                                          IOTHUB_CLIENT_TRANSPORT_PROVIDER protocol)
{
    if (!iothub_uri || !device_id || !protocol)
        return NULL;
    return client_new(K_HUB_DEVICE_AUTH, iothub_uri, device_id, NULL);
}

IOTHUB_DEVICE_CLIENT_LL_HANDLE IoTHubDeviceClient_LL_CreateWithAzureSphereFromDeviceAuth(
    const char *iothub_uri, IOTHUB_CLIENT_TRANSPORT_PROVIDER protocol)
{
    if (!iothub_uri || !protocol)
        return NULL;
    return client_new(K_HUB_DEVICE_AUTH, iothub_uri, NULL, NULL);
}

static void fail_pending(IOTHUB_DEVICE_CLIENT_LL_HANDLE h)
{
    for (size_t i = 0; i < h->sends.count; i++) {
        IOTHUB_CLIENT_EVENT_CONFIRMATION_CALLBACK cb = (IOTHUB_CLIENT_EVENT_CONFIRMATION_CALLBACK)h->sends.items[i].cb;
        if (cb)
            cb(IOTHUB_CLIENT_CONFIRMATION_BECAUSE_DESTROY, h->sends.items[i].ctx);
    }
    for (size_t i = 0; i < h->reported.count; i++) {
        IOTHUB_CLIENT_REPORTED_STATE_CALLBACK cb = (IOTHUB_CLIENT_REPORTED_STATE_CALLBACK)h->reported.items[i].cb;
        if (cb)
            cb(500, h->reported.items[i].ctx);
    }
}

void IoTHubDeviceClient_LL_Destroy(IOTHUB_DEVICE_CLIENT_LL_HANDLE h)
{
    if (!h)
        return;
    if (h->inDoWork) {
        h->destroyAfterDoWork = true;
        return;
    }
    close(h->fd);
    fail_pending(h);
    free(h->sends.items);
    free(h->reported.items);
    free(h->twinGets.items);
    free(h->ev);
    free(h);
}

static void put_message(Buf *b, IOTHUB_MESSAGE_HANDLE m)
{
    tlv_u32(b, M_KIND, (uint32_t)m->kind);
    tlv(b, M_BODY, m->data, m->size);
    tlv_str(b, M_CONTENT_TYPE, m->contentType);
    tlv_str(b, M_CONTENT_ENCODING, m->contentEncoding);
    tlv_str(b, M_MESSAGE_ID, m->messageId);
    tlv_str(b, M_CORRELATION_ID, m->correlationId);
    for (size_t i = 0; i < m->properties->count; i++) {
        size_t kl = strlen(m->properties->keys[i]), vl = strlen(m->properties->values[i]);
        buf_u32(b, M_PROPERTY);
        buf_u32(b, (uint32_t)(kl + 1 + vl));
        buf_put(b, m->properties->keys[i], kl + 1);
        buf_put(b, m->properties->values[i], vl);
    }
}

IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_SendEventAsync(IOTHUB_DEVICE_CLIENT_LL_HANDLE h,
                                                          IOTHUB_MESSAGE_HANDLE message,
                                                          IOTHUB_CLIENT_EVENT_CONFIRMATION_CALLBACK cb, void *ctx)
{
    if (!h || !message || (cb == NULL && ctx != NULL))
        return IOTHUB_CLIENT_INVALID_ARG;
    uint32_t id = h->nextId++;
    Buf b = {0};
    tlv_u32(&b, M_CONTEXT, id);
    put_message(&b, message);
    int32_t r = send_op(h->fd, OP_EVENT, &b);
    free(b.p);
    if (r < 0)
        return r == -EINVAL || r == -E2BIG ? IOTHUB_CLIENT_INVALID_ARG : IOTHUB_CLIENT_ERROR;
    if (!pending_add(&h->sends, id, (void *)cb, ctx))
        return IOTHUB_CLIENT_ERROR;
    return IOTHUB_CLIENT_OK;
}

IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_GetSendStatus(IOTHUB_DEVICE_CLIENT_LL_HANDLE h,
                                                         IOTHUB_CLIENT_STATUS *status)
{
    if (!h || !status)
        return IOTHUB_CLIENT_INVALID_ARG;
    *status = h->sends.count ? IOTHUB_CLIENT_SEND_STATUS_BUSY : IOTHUB_CLIENT_SEND_STATUS_IDLE;
    return IOTHUB_CLIENT_OK;
}

static uint32_t subscriptions(IOTHUB_DEVICE_CLIENT_LL_HANDLE h)
{
    return (h->messageCb ? SUB_C2D : 0) | (h->methodCb ? SUB_METHODS : 0) | (h->twinCb ? SUB_TWIN : 0);
}

static IOTHUB_CLIENT_RESULT resubscribe(IOTHUB_DEVICE_CLIENT_LL_HANDLE h)
{
    Buf b = {0};
    buf_u32(&b, subscriptions(h));
    int32_t r = send_op(h->fd, OP_SUBSCRIBE, &b);
    free(b.p);
    return r < 0 ? IOTHUB_CLIENT_ERROR : IOTHUB_CLIENT_OK;
}

IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_SetMessageCallback(IOTHUB_DEVICE_CLIENT_LL_HANDLE h,
                                                              IOTHUB_CLIENT_MESSAGE_CALLBACK_ASYNC cb, void *ctx)
{
    if (!h)
        return IOTHUB_CLIENT_INVALID_ARG;
    h->messageCb = cb;
    h->messageCtx = ctx;
    return resubscribe(h);
}

IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_SetConnectionStatusCallback(IOTHUB_DEVICE_CLIENT_LL_HANDLE h,
                                                                       IOTHUB_CLIENT_CONNECTION_STATUS_CALLBACK cb,
                                                                       void *ctx)
{
    if (!h)
        return IOTHUB_CLIENT_INVALID_ARG;
    h->statusCb = cb;
    h->statusCtx = ctx;
    return IOTHUB_CLIENT_OK;
}

IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_SetRetryPolicy(IOTHUB_DEVICE_CLIENT_LL_HANDLE h,
                                                          IOTHUB_CLIENT_RETRY_POLICY retryPolicy,
                                                          size_t retryTimeoutLimitInSeconds)
{
    if (!h || (unsigned)retryPolicy > IOTHUB_CLIENT_RETRY_RANDOM)
        return IOTHUB_CLIENT_INVALID_ARG;
    Buf b = {0};
    buf_u32(&b, (uint32_t)retryPolicy);
    buf_u32(&b, (uint32_t)retryTimeoutLimitInSeconds);
    int32_t r = send_op(h->fd, OP_RETRY, &b);
    free(b.p);
    if (r < 0)
        return IOTHUB_CLIENT_ERROR;
    h->retryPolicy = retryPolicy;
    h->retryTimeout = retryTimeoutLimitInSeconds;
    return IOTHUB_CLIENT_OK;
}

IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_GetRetryPolicy(IOTHUB_DEVICE_CLIENT_LL_HANDLE h,
                                                          IOTHUB_CLIENT_RETRY_POLICY *retryPolicy,
                                                          size_t *retryTimeoutLimitInSeconds)
{
    if (!h || !retryPolicy || !retryTimeoutLimitInSeconds)
        return IOTHUB_CLIENT_INVALID_ARG;
    *retryPolicy = h->retryPolicy;
    *retryTimeoutLimitInSeconds = h->retryTimeout;
    return IOTHUB_CLIENT_OK;
}

IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_GetLastMessageReceiveTime(IOTHUB_DEVICE_CLIENT_LL_HANDLE h,
                                                                     time_t *lastMessageReceiveTime)
{
    if (!h || !lastMessageReceiveTime)
        return IOTHUB_CLIENT_INVALID_ARG;
    if (h->lastReceive == 0)
        return IOTHUB_CLIENT_INDEFINITE_TIME;
    *lastMessageReceiveTime = h->lastReceive;
    return IOTHUB_CLIENT_OK;
}

/* Options: the OS's client takes the name and a typed value; an option it does not know is an error, as in
   the C SDK. */
static int32_t option_kind(const char *name)
{
    static const char *const ints[] = {OPTION_KEEP_ALIVE, OPTION_CONNECTION_TIMEOUT, OPTION_MESSAGE_TIMEOUT,
                                       OPTION_RETRY_INTERVAL_SEC, OPTION_RETRY_MAX_DELAY_SECS,
                                       OPTION_DO_WORK_FREQUENCY_IN_MS, OPTION_SAS_TOKEN_LIFETIME,
                                       OPTION_SET_SAS_TOKEN_REFRESH_TIME, "SetDeviceId", PROV_OPTION_TIMEOUT};
    static const char *const bools[] = {OPTION_LOG_TRACE, OPTION_AUTO_URL_ENCODE_DECODE};
    static const char *const strs[] = {OPTION_MODEL_ID, OPTION_TRUSTED_CERT, OPTION_PRODUCT_INFO,
                                       OPTION_X509_CERT, OPTION_X509_PRIVATE_KEY, OPTION_CONTENT_TYPE,
                                       OPTION_CONTENT_ENCODING, PROV_REGISTRATION_ID};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (strcmp(name, ints[i]) == 0)
            return V_INT;
    for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++)
        if (strcmp(name, bools[i]) == 0)
            return V_BOOL;
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (strcmp(name, strs[i]) == 0)
            return V_STRING;
    return 0;
}

static int32_t set_option(int32_t fd, const char *name, const void *value)
{
    int32_t kind = option_kind(name);
    if (kind == 0)
        return -ENOTSUP;
    Buf b = {0};
    buf_u32(&b, (uint32_t)kind);
    buf_put(&b, name, strlen(name) + 1);
    if (kind == V_INT) {
        int32_t v = *(const int *)value;
        buf_put(&b, &v, 4);
    } else if (kind == V_BOOL) {
        int32_t v = *(const bool *)value ? 1 : 0;
        buf_put(&b, &v, 4);
    } else {
        buf_put(&b, value, strlen(value));
    }
    int32_t r = send_op(fd, OP_OPTION, &b);
    free(b.p);
    return r;
}

IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_SetOption(IOTHUB_DEVICE_CLIENT_LL_HANDLE h, const char *optionName,
                                                     const void *value)
{
    if (!h || !optionName || !value)
        return IOTHUB_CLIENT_INVALID_ARG;
    int32_t r = set_option(h->fd, optionName, value);
    if (r == -ENOTSUP || r == -EINVAL)
        return IOTHUB_CLIENT_INVALID_ARG;
    return r < 0 ? IOTHUB_CLIENT_ERROR : IOTHUB_CLIENT_OK;
}

IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_SetDeviceTwinCallback(IOTHUB_DEVICE_CLIENT_LL_HANDLE h,
                                                                 IOTHUB_CLIENT_DEVICE_TWIN_CALLBACK cb, void *ctx)
{
    if (!h)
        return IOTHUB_CLIENT_INVALID_ARG;
    h->twinCb = cb;
    h->twinCtx = ctx;
    return resubscribe(h);
}

IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_SendReportedState(IOTHUB_DEVICE_CLIENT_LL_HANDLE h,
                                                             const unsigned char *reportedState, size_t size,
                                                             IOTHUB_CLIENT_REPORTED_STATE_CALLBACK cb, void *ctx)
{
    if (!h || !reportedState || size == 0)
        return IOTHUB_CLIENT_INVALID_ARG;
    uint32_t id = h->nextId++;
    Buf b = {0};
    buf_u32(&b, id);
    buf_put(&b, reportedState, size);
    int32_t r = send_op(h->fd, OP_REPORTED, &b);
    free(b.p);
    if (r < 0)
        return r == -EINVAL || r == -E2BIG ? IOTHUB_CLIENT_INVALID_ARG : IOTHUB_CLIENT_ERROR;
    if (!pending_add(&h->reported, id, (void *)cb, ctx))
        return IOTHUB_CLIENT_ERROR;
    return IOTHUB_CLIENT_OK;
}

IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_GetTwinAsync(IOTHUB_DEVICE_CLIENT_LL_HANDLE h,
                                                        IOTHUB_CLIENT_DEVICE_TWIN_CALLBACK cb, void *ctx)
{
    if (!h || !cb)
        return IOTHUB_CLIENT_INVALID_ARG;
    uint32_t id = h->nextId++;
    Buf b = {0};
    buf_u32(&b, id);
    int32_t r = send_op(h->fd, OP_GET_TWIN, &b);
    free(b.p);
    if (r < 0 || !pending_add(&h->twinGets, id, (void *)cb, ctx))
        return IOTHUB_CLIENT_ERROR;
    return IOTHUB_CLIENT_OK;
}

IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_SetDeviceMethodCallback(IOTHUB_DEVICE_CLIENT_LL_HANDLE h,
                                                                   IOTHUB_CLIENT_DEVICE_METHOD_CALLBACK_ASYNC cb,
                                                                   void *ctx)
{
    if (!h)
        return IOTHUB_CLIENT_INVALID_ARG;
    h->methodCb = cb;
    h->methodCtx = ctx;
    return resubscribe(h);
}

IOTHUB_CLIENT_RESULT IoTHubDeviceClient_LL_SendMessageDisposition(IOTHUB_DEVICE_CLIENT_LL_HANDLE h,
                                                                  IOTHUB_MESSAGE_HANDLE message,
                                                                  IOTHUBMESSAGE_DISPOSITION_RESULT disposition)
{
    /* MQTT has no reject or abandon: a C2D message is settled when it arrives (the C SDK does the same). */
    (void)disposition;
    if (!h || !message)
        return IOTHUB_CLIENT_INVALID_ARG;
    IoTHubMessage_Destroy(message);
    return IOTHUB_CLIENT_OK;
}

/* A C2D event's message (the same TLV SendEventAsync writes). */
static IOTHUB_MESSAGE_HANDLE read_message(const unsigned char *p, size_t n)
{
    const unsigned char *body = NULL;
    size_t bodyLen = 0;
    uint32_t kind = IOTHUBMESSAGE_BYTEARRAY;
    for (size_t off = 0; off + 8 <= n;) {
        uint32_t tag = rd32(p + off), len = rd32(p + off + 4);
        if (off + 8 + len > n)
            break;
        if (tag == M_BODY) {
            body = p + off + 8;
            bodyLen = len;
        } else if (tag == M_KIND && len == 4)
            kind = rd32(p + off + 8);
        off += 8 + len;
    }
    IOTHUB_MESSAGE_HANDLE m =
        message_new(kind == IOTHUBMESSAGE_STRING ? IOTHUBMESSAGE_STRING : IOTHUBMESSAGE_BYTEARRAY, body, bodyLen);
    if (!m)
        return NULL;
    for (size_t off = 0; off + 8 <= n;) {
        uint32_t tag = rd32(p + off), len = rd32(p + off + 4);
        if (off + 8 + len > n)
            break;
        const unsigned char *v = p + off + 8;
        char *s = dup_n(v, len);
        if (s) {
            switch (tag) {
            case M_CONTENT_TYPE:
                set_str(&m->contentType, s);
                break;
            case M_CONTENT_ENCODING:
                set_str(&m->contentEncoding, s);
                break;
            case M_MESSAGE_ID:
                set_str(&m->messageId, s);
                break;
            case M_CORRELATION_ID:
                set_str(&m->correlationId, s);
                break;
            case M_PROPERTY: {
                size_t kl = strnlen(s, len);
                if (kl < len)
                    Map_AddOrUpdate(m->properties, s, s + kl + 1);
                break;
            }
            default:
                break;
            }
            free(s);
        }
        off += 8 + len;
    }
    return m;
}

static void dispatch(IOTHUB_DEVICE_CLIENT_LL_HANDLE h, uint32_t type, const unsigned char *p, size_t n)
{
    Pending pe;
    switch (type) {
    case EV_STATUS:
        if (n >= 8 && h->statusCb)
            h->statusCb((IOTHUB_CLIENT_CONNECTION_STATUS)rd32(p), (IOTHUB_CLIENT_CONNECTION_STATUS_REASON)rd32(p + 4),
                        h->statusCtx);
        break;
    case EV_CONFIRM:
        if (n >= 8 && pending_take(&h->sends, rd32(p), &pe) && pe.cb)
            ((IOTHUB_CLIENT_EVENT_CONFIRMATION_CALLBACK)pe.cb)((IOTHUB_CLIENT_CONFIRMATION_RESULT)rd32(p + 4), pe.ctx);
        break;
    case EV_REPORTED:
        if (n >= 8 && pending_take(&h->reported, rd32(p), &pe) && pe.cb)
            ((IOTHUB_CLIENT_REPORTED_STATE_CALLBACK)pe.cb)((int)rd32(p + 4), pe.ctx);
        break;
    case EV_TWIN: {
        if (n < 8)
            break;
        DEVICE_TWIN_UPDATE_STATE state = (DEVICE_TWIN_UPDATE_STATE)rd32(p);
        uint32_t id = rd32(p + 4);
        h->lastReceive = time(NULL);
        if (id != 0) {
            if (pending_take(&h->twinGets, id, &pe) && pe.cb)
                ((IOTHUB_CLIENT_DEVICE_TWIN_CALLBACK)pe.cb)(state, p + 8, n - 8, pe.ctx);
        } else if (h->twinCb)
            h->twinCb(state, p + 8, n - 8, h->twinCtx);
        break;
    }
    case EV_METHOD: {
        /* rid \0 name \0 payload */
        size_t rl = strnlen((const char *)p, n);
        if (rl >= n)
            break;
        size_t nl = strnlen((const char *)p + rl + 1, n - rl - 1);
        if (rl + 1 + nl >= n)
            break;
        const char *rid = (const char *)p, *name = (const char *)p + rl + 1;
        const unsigned char *payload = p + rl + 1 + nl + 1;
        size_t payloadLen = n - (rl + 1 + nl + 1);
        h->lastReceive = time(NULL);
        unsigned char *response = NULL;
        size_t responseLen = 0;
        int status = 501;
        if (h->methodCb)
            status = h->methodCb(name, payload, payloadLen, &response, &responseLen, h->methodCtx);
        Buf b = {0};
        buf_u32(&b, (uint32_t)status);
        buf_put(&b, rid, rl + 1);
        if (response && responseLen)
            buf_put(&b, response, responseLen);
        send_op(h->fd, OP_METHOD_RESPONSE, &b);
        free(b.p);
        free(response);
        break;
    }
    case EV_C2D: {
        h->lastReceive = time(NULL);
        if (!h->messageCb)
            break;
        IOTHUB_MESSAGE_HANDLE m = read_message(p, n);
        if (!m)
            break;
        IOTHUBMESSAGE_DISPOSITION_RESULT d = h->messageCb(m, h->messageCtx);
        /* with IOTHUBMESSAGE_ASYNC_ACK the app settles (and frees) it with SendMessageDisposition */
        if (d != IOTHUBMESSAGE_ASYNC_ACK)
            IoTHubMessage_Destroy(m);
        break;
    }
    default:
        break;
    }
}

void IoTHubDeviceClient_LL_DoWork(IOTHUB_DEVICE_CLIENT_LL_HANDLE h)
{
    if (!h || h->inDoWork)
        return;
    h->inDoWork = true;
    for (int i = 0; i < 256 && !h->destroyAfterDoWork; i++) {
        int32_t n = __sphere_iot_next(h->fd, h->ev, EVENT_BUFFER);
        if (n < 8)
            break;
        uint32_t len = rd32(h->ev + 4);
        if (len + 8 > (uint32_t)n)
            break;
        dispatch(h, rd32(h->ev), h->ev + 8, len);
    }
    h->inDoWork = false;
    if (h->destroyAfterDoWork) {
        h->destroyAfterDoWork = false;
        IoTHubDeviceClient_LL_Destroy(h);
    }
}

/* ======================= DPS ======================= */

struct PROV_INSTANCE_INFO_TAG {
    int32_t fd;
    unsigned char *ev;
    char *payload;
    char *returnedPayload;
    PROV_DEVICE_CLIENT_REGISTER_DEVICE_CALLBACK registerCb;
    void *registerCtx;
    PROV_DEVICE_CLIENT_REGISTER_STATUS_CALLBACK statusCb;
    void *statusCtx;
    bool registered;
};

PROV_DEVICE_LL_HANDLE Prov_Device_LL_Create(const char *uri, const char *scope_id,
                                            PROV_DEVICE_TRANSPORT_PROVIDER_FUNCTION protocol)
{
    if (!uri || !scope_id || !protocol)
        return NULL;
    PROV_DEVICE_LL_HANDLE h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->ev = malloc(EVENT_BUFFER);
    h->fd = h->ev ? open_client(K_DPS, uri, NULL, NULL, scope_id) : -1;
    if (h->fd < 0) {
        free(h->ev);
        free(h);
        return NULL;
    }
    return h;
}

void Prov_Device_LL_Destroy(PROV_DEVICE_LL_HANDLE h)
{
    if (!h)
        return;
    close(h->fd);
    free(h->ev);
    free(h->payload);
    free(h->returnedPayload);
    free(h);
}

PROV_DEVICE_RESULT Prov_Device_LL_Register_Device(PROV_DEVICE_LL_HANDLE h,
                                                  PROV_DEVICE_CLIENT_REGISTER_DEVICE_CALLBACK register_callback,
                                                  void *user_context,
                                                  PROV_DEVICE_CLIENT_REGISTER_STATUS_CALLBACK reg_status_cb,
                                                  void *status_user_ctext)
{
    if (!h || !register_callback)
        return PROV_DEVICE_RESULT_INVALID_ARG;
    if (h->registered)
        return PROV_DEVICE_RESULT_INVALID_STATE;
    h->registerCb = register_callback;
    h->registerCtx = user_context;
    h->statusCb = reg_status_cb;
    h->statusCtx = status_user_ctext;
    Buf b = {0};
    if (h->payload)
        buf_put(&b, h->payload, strlen(h->payload));
    int32_t r = send_op(h->fd, OP_REGISTER, &b);
    free(b.p);
    if (r < 0)
        return PROV_DEVICE_RESULT_ERROR;
    h->registered = true;
    return PROV_DEVICE_RESULT_OK;
}

void Prov_Device_LL_DoWork(PROV_DEVICE_LL_HANDLE h)
{
    if (!h)
        return;
    for (int i = 0; i < 16; i++) {
        int32_t n = __sphere_iot_next(h->fd, h->ev, EVENT_BUFFER);
        if (n < 8)
            break;
        uint32_t type = rd32(h->ev), len = rd32(h->ev + 4);
        const unsigned char *p = h->ev + 8;
        if (len + 8 > (uint32_t)n)
            break;
        if (type == EV_REG_STATUS && len >= 4 && h->statusCb)
            h->statusCb((PROV_DEVICE_REG_STATUS)rd32(p), h->statusCtx);
        else if (type == EV_REGISTERED && len >= 4) {
            /* u32 result, hub \0 device id \0 returned payload */
            const char *hub = (const char *)p + 4;
            size_t hl = strnlen(hub, len - 4);
            const char *dev = hl + 1 < len - 4 ? hub + hl + 1 : "";
            size_t dl = strnlen(dev, len - 4 - (hl + 1 < len - 4 ? hl + 1 : 0));
            if (hl + 1 + dl + 1 < len - 4) {
                free(h->returnedPayload);
                h->returnedPayload = dup_n((const unsigned char *)dev + dl + 1, len - 4 - hl - 1 - dl - 1);
            }
            PROV_DEVICE_RESULT res = (PROV_DEVICE_RESULT)rd32(p);
            if (h->registerCb)
                h->registerCb(res, res == PROV_DEVICE_RESULT_OK ? hub : NULL,
                              res == PROV_DEVICE_RESULT_OK ? dev : NULL, h->registerCtx);
        }
    }
}

PROV_DEVICE_RESULT Prov_Device_LL_SetOption(PROV_DEVICE_LL_HANDLE h, const char *optionName, const void *value)
{
    if (!h || !optionName || !value)
        return PROV_DEVICE_RESULT_INVALID_ARG;
    int32_t r = set_option(h->fd, optionName, value);
    return r == 0 ? PROV_DEVICE_RESULT_OK : r == -ENOTSUP ? PROV_DEVICE_RESULT_INVALID_ARG : PROV_DEVICE_RESULT_ERROR;
}

const char *Prov_Device_LL_GetVersionString(void)
{
    return "1.13.0";
}

PROV_DEVICE_RESULT Prov_Device_LL_Set_Provisioning_Payload(PROV_DEVICE_LL_HANDLE h, const char *json)
{
    if (!h || !json)
        return PROV_DEVICE_RESULT_INVALID_ARG;
    char *d = dup_str(json);
    if (!d)
        return PROV_DEVICE_RESULT_MEMORY;
    free(h->payload);
    h->payload = d;
    return PROV_DEVICE_RESULT_OK;
}

const char *Prov_Device_LL_Get_Provisioning_Payload(PROV_DEVICE_LL_HANDLE h)
{
    return h ? h->returnedPayload : NULL;
}

/* ---- Azure Sphere's one-call provisioning: DPS registration, then a client for the assigned hub ---- */

typedef struct {
    bool done;
    PROV_DEVICE_RESULT result;
    char hub[256];
} ProvWait;

static void prov_done(PROV_DEVICE_RESULT r, const char *hub, const char *deviceId, void *ctx)
{
    (void)deviceId;
    ProvWait *w = ctx;
    w->done = true;
    w->result = r;
    if (hub)
        snprintf(w->hub, sizeof w->hub, "%s", hub);
}

AZURE_SPHERE_PROV_RETURN_VALUE IoTHubDeviceClient_LL_CreateWithAzureSphereDeviceAuthProvisioning(
    const char *idScope, unsigned int timeout, IOTHUB_DEVICE_CLIENT_LL_HANDLE *handle)
{
    AZURE_SPHERE_PROV_RETURN_VALUE rv = {AZURE_SPHERE_PROV_RESULT_OK, PROV_DEVICE_RESULT_OK, IOTHUB_CLIENT_OK};
    if (!idScope || !handle) {
        rv.result = AZURE_SPHERE_PROV_RESULT_INVALID_PARAM;
        return rv;
    }
    *handle = NULL;
    bool ready = false;
    if (Networking_IsNetworkingReady(&ready) != 0 || !ready) {
        rv.result = AZURE_SPHERE_PROV_RESULT_NETWORK_NOT_READY;
        return rv;
    }
    if (Application_IsDeviceAuthReady(&ready) != 0 || !ready) {
        rv.result = AZURE_SPHERE_PROV_RESULT_DEVICEAUTH_NOT_READY;
        return rv;
    }
    PROV_DEVICE_LL_HANDLE prov =
        Prov_Device_LL_Create("global.azure-devices-provisioning.net", idScope, Prov_Device_MQTT_Protocol);
    if (!prov) {
        rv.result = AZURE_SPHERE_PROV_RESULT_PROV_DEVICE_ERROR;
        rv.prov_device_error = PROV_DEVICE_RESULT_TRANSPORT;
        return rv;
    }
    ProvWait w = {false, PROV_DEVICE_RESULT_TIMEOUT, ""};
    PROV_DEVICE_RESULT pr = Prov_Device_LL_Register_Device(prov, prov_done, &w, NULL, NULL);
    unsigned int waited = 0;
    while (pr == PROV_DEVICE_RESULT_OK && !w.done && waited < timeout) {
        Prov_Device_LL_DoWork(prov);
        if (w.done)
            break;
        ThreadAPI_Sleep(10);
        waited += 10;
    }
    Prov_Device_LL_Destroy(prov);
    if (pr != PROV_DEVICE_RESULT_OK || !w.done || w.result != PROV_DEVICE_RESULT_OK) {
        rv.result = AZURE_SPHERE_PROV_RESULT_PROV_DEVICE_ERROR;
        rv.prov_device_error = pr != PROV_DEVICE_RESULT_OK ? pr : w.done ? w.result : PROV_DEVICE_RESULT_TIMEOUT;
        return rv;
    }
    *handle = IoTHubDeviceClient_LL_CreateWithAzureSphereFromDeviceAuth(w.hub, MQTT_Protocol);
    if (!*handle) {
        rv.result = AZURE_SPHERE_PROV_RESULT_IOTHUB_CLIENT_ERROR;
        rv.iothub_client_error = IOTHUB_CLIENT_ERROR;
    }
    return rv;
}
