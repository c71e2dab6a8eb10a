/* sphere-sdk libapplibs: libcurl, the OS's library (DESIGN.md decision 12). This side keeps the options of a
   handle and runs the app's callbacks; the transfer itself (DNS, TCP, TLS, HTTP, redirects, timeouts) runs in
   the OS, on one of the app's sockets, every connection decided by the app's AllowedConnections
   (src/os/runtime/curl.ts). curl_open hands the OS a request (TLV: u32 tag, u32 length, bytes); curl_next
   returns one event at a time (u32 type, u32 length, payload). The multi interface drives the same transfers
   without blocking and tells the app which fds to watch (CURLMOPT_SOCKETFUNCTION / TIMERFUNCTION). */
#include <curl/curl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include <tlsutils/deviceauth_curl.h>

#include "internal.h"

#define EASY_MAGIC 0xc0de4e55u
#define MULTI_MAGIC 0xc0de3317u
#define EVENT_BUFFER (CURL_MAX_WRITE_SIZE + 8)

enum { TAG_URL = 1, TAG_METHOD, TAG_HEADER, TAG_BODY, TAG_USERAGENT, TAG_CAINFO, TAG_SSLCERT, TAG_SSLKEY,
       TAG_PROXY, TAG_NOPROXY, TAG_PROXYUSERPWD, TAG_USERPWD, TAG_FLAGS, TAG_TIMEOUT_MS, TAG_CONNECT_TIMEOUT_MS,
       TAG_MAXREDIRS, TAG_PROXYPORT, TAG_PROTOCOLS, TAG_REDIR_PROTOCOLS, TAG_PORT, TAG_REFERER };
enum { F_VERBOSE = 1, F_FOLLOW = 2, F_VERIFYPEER = 4, F_VERIFYHOST = 8, F_NOBODY = 16, F_FAILONERROR = 32,
       F_DEBUGFN = 64, F_POST = 128, F_NONBLOCK = 256 };
enum { EV_HEADER = 1, EV_DATA = 2, EV_DONE = 3, EV_BODYSTART = 4, EV_DEBUG = 5 };

enum { S_URL, S_CUSTOMREQUEST, S_USERAGENT, S_CAINFO, S_SSLCERT, S_SSLKEY, S_PROXY, S_NOPROXY, S_PROXYUSERPWD,
       S_PROXYUSERNAME, S_PROXYPASSWORD, S_USERPWD, S_USERNAME, S_PASSWORD, S_REFERER, S_COUNT };

struct Curl_multi;

struct Curl_easy {
    uint32_t magic;
    char *str[S_COUNT];
    struct curl_slist *headers;
    const char *postfields;
    char *postcopy;
    long postsize;
    long verbose, follow, verifypeer, verifyhost, nobody, failonerror, post, header, noprogress;
    long timeoutMs, connectTimeoutMs, maxredirs, proxyport, protocols, redirProtocols, port;
    curl_write_callback writefn;
    void *writedata;
    curl_write_callback headerfn;
    void *headerdata;
    curl_xferinfo_callback xferinfo;
    curl_progress_callback progress;
    void *progressdata;
    curl_debug_callback debugfn;
    void *debugdata;
    char *errorbuffer;
    void *privatep;

    /* the transfer */
    int fd;
    bool running, done;
    CURLcode result;
    int pause;
    uint8_t *ev;          /* event buffer */
    uint8_t *held;        /* body bytes the write callback paused on (inside ev) */
    size_t heldLen;
    curl_off_t dltotal, dlnow;

    /* what curl_easy_getinfo answers */
    long httpCode, redirects, osErrno, primaryPort;
    curl_off_t timesUs[6], sizeDownload, contentLength, headerSize;
    char *effectiveUrl, *contentType, *primaryIp, *method;

    /* multi */
    struct Curl_multi *multi;
    struct Curl_easy *next;
    bool pending;
    void *socketp;
};

struct Curl_multi {
    uint32_t magic;
    struct Curl_easy *easies;
    curl_socket_callback socketfn;
    void *socketdata;
    curl_multi_timer_callback timerfn;
    void *timerdata;
    long lastTimeout;
    CURLMsg *msgs;
    size_t msgCount, msgCap, msgRead;
    bool inCallback;
};

/* The path the OS's libcurl reads as the device certificate (src/os/runtime/http-host.ts DEVICE_AUTH_CERT_PATH). */
#define DEVICE_AUTH_CERT_PATH "/run/deviceauth/certificate.pem"

const char *DeviceAuth_GetCertificatePath(void)
{
    return DEVICE_AUTH_CERT_PATH;
}

CURLcode DeviceAuth_CurlSslFunc(CURL *curl, void *sslctx, void *userCtx)
{
    (void)curl;
    (void)sslctx;
    (void)userCtx;
    return CURLE_OK;
}

/* ---- errors ---- */

static const char *const easyErrors[] = {
    [CURLE_OK] = "No error",
    [CURLE_UNSUPPORTED_PROTOCOL] = "Unsupported protocol",
    [CURLE_FAILED_INIT] = "Failed initialization",
    [CURLE_URL_MALFORMAT] = "URL using bad/illegal format or missing URL",
    [CURLE_NOT_BUILT_IN] = "A requested feature, protocol or option was not found built-in in this libcurl due to a build-time decision.",
    [CURLE_COULDNT_RESOLVE_PROXY] = "Couldn't resolve proxy name",
    [CURLE_COULDNT_RESOLVE_HOST] = "Couldn't resolve host name",
    [CURLE_COULDNT_CONNECT] = "Couldn't connect to server",
    [CURLE_WEIRD_SERVER_REPLY] = "Weird server reply",
    [CURLE_REMOTE_ACCESS_DENIED] = "Access denied to remote resource",
    [CURLE_FTP_ACCEPT_FAILED] = "FTP: The server failed to connect to data port",
    [CURLE_FTP_ACCEPT_TIMEOUT] = "FTP: Accepting server connect has timed out",
    [CURLE_FTP_PRET_FAILED] = "FTP: The server did not accept the PRET command.",
    [CURLE_FTP_WEIRD_PASS_REPLY] = "FTP: unknown PASS reply",
    [CURLE_FTP_WEIRD_PASV_REPLY] = "FTP: unknown PASV reply",
    [CURLE_FTP_WEIRD_227_FORMAT] = "FTP: unknown 227 response format",
    [CURLE_FTP_CANT_GET_HOST] = "FTP: can't figure out the host in the PASV response",
    [CURLE_HTTP2] = "Error in the HTTP2 framing layer",
    [CURLE_FTP_COULDNT_SET_TYPE] = "FTP: couldn't set file type",
    [CURLE_PARTIAL_FILE] = "Transferred a partial file",
    [CURLE_FTP_COULDNT_RETR_FILE] = "FTP: couldn't retrieve (RETR failed) the specified file",
    [CURLE_QUOTE_ERROR] = "Quote command returned error",
    [CURLE_HTTP_RETURNED_ERROR] = "HTTP response code said error",
    [CURLE_WRITE_ERROR] = "Failed writing received data to disk/application",
    [CURLE_UPLOAD_FAILED] = "Upload failed (at start/before it took off)",
    [CURLE_READ_ERROR] = "Failed to open/read local data from file/application",
    [CURLE_OUT_OF_MEMORY] = "Out of memory",
    [CURLE_OPERATION_TIMEDOUT] = "Timeout was reached",
    [CURLE_FTP_PORT_FAILED] = "FTP: command PORT failed",
    [CURLE_FTP_COULDNT_USE_REST] = "FTP: command REST failed",
    [CURLE_RANGE_ERROR] = "Requested range was not delivered by the server",
    [CURLE_HTTP_POST_ERROR] = "Internal problem setting up the POST",
    [CURLE_SSL_CONNECT_ERROR] = "SSL connect error",
    [CURLE_BAD_DOWNLOAD_RESUME] = "Couldn't resume download",
    [CURLE_FILE_COULDNT_READ_FILE] = "Couldn't read a file:// file",
    [CURLE_LDAP_CANNOT_BIND] = "LDAP: cannot bind",
    [CURLE_LDAP_SEARCH_FAILED] = "LDAP: search failed",
    [CURLE_FUNCTION_NOT_FOUND] = "A required function in the library was not found",
    [CURLE_ABORTED_BY_CALLBACK] = "Operation was aborted by an application callback",
    [CURLE_BAD_FUNCTION_ARGUMENT] = "A libcurl function was given a bad argument",
    [CURLE_INTERFACE_FAILED] = "Failed binding local connection end",
    [CURLE_TOO_MANY_REDIRECTS] = "Number of redirects hit maximum amount",
    [CURLE_UNKNOWN_OPTION] = "An unknown option was passed in to libcurl",
    [CURLE_SETOPT_OPTION_SYNTAX] = "Malformed option provided in a setopt",
    [CURLE_GOT_NOTHING] = "Server returned nothing (no headers, no data)",
    [CURLE_SSL_ENGINE_NOTFOUND] = "SSL crypto engine not found",
    [CURLE_SSL_ENGINE_SETFAILED] = "Can not set SSL crypto engine as default",
    [CURLE_SSL_ENGINE_INITFAILED] = "Failed to initialise SSL crypto engine",
    [CURLE_SEND_ERROR] = "Failed sending data to the peer",
    [CURLE_RECV_ERROR] = "Failure when receiving data from the peer",
    [CURLE_SSL_CERTPROBLEM] = "Problem with the local SSL certificate",
    [CURLE_SSL_CIPHER] = "Couldn't use specified SSL cipher",
    [CURLE_PEER_FAILED_VERIFICATION] = "SSL peer certificate or SSH remote key was not OK",
    [CURLE_SSL_CACERT_BADFILE] = "Problem with the SSL CA cert (path? access rights?)",
    [CURLE_BAD_CONTENT_ENCODING] = "Unrecognized or bad HTTP Content or Transfer-Encoding",
    [CURLE_FILESIZE_EXCEEDED] = "Maximum file size exceeded",
    [CURLE_USE_SSL_FAILED] = "Requested SSL level failed",
    [CURLE_SSL_SHUTDOWN_FAILED] = "Failed to shut down the SSL connection",
    [CURLE_SSL_CRL_BADFILE] = "Failed to load CRL file (path? access rights?, format?)",
    [CURLE_SSL_ISSUER_ERROR] = "Issuer check against peer certificate failed",
    [CURLE_SEND_FAIL_REWIND] = "Send failed since rewinding of the data stream failed",
    [CURLE_LOGIN_DENIED] = "Login denied",
    [CURLE_TFTP_NOTFOUND] = "TFTP: File Not Found",
    [CURLE_TFTP_PERM] = "TFTP: Access Violation",
    [CURLE_REMOTE_DISK_FULL] = "Disk full or allocation exceeded",
    [CURLE_TFTP_ILLEGAL] = "TFTP: Illegal operation",
    [CURLE_TFTP_UNKNOWNID] = "TFTP: Unknown transfer ID",
    [CURLE_REMOTE_FILE_EXISTS] = "Remote file already exists",
    [CURLE_TFTP_NOSUCHUSER] = "TFTP: No such user",
    [CURLE_REMOTE_FILE_NOT_FOUND] = "Remote file not found",
    [CURLE_SSH] = "Error in the SSH layer",
    [CURLE_AGAIN] = "Socket not ready for send/recv",
    [CURLE_RTSP_CSEQ_ERROR] = "RTSP CSeq mismatch or invalid CSeq",
    [CURLE_RTSP_SESSION_ERROR] = "RTSP session error",
    [CURLE_FTP_BAD_FILE_LIST] = "Unable to parse FTP file list",
    [CURLE_CHUNK_FAILED] = "Chunk callback failed",
    [CURLE_NO_CONNECTION_AVAILABLE] = "The max connection limit is reached",
    [CURLE_SSL_PINNEDPUBKEYNOTMATCH] = "SSL public key does not match pinned public key",
    [CURLE_SSL_INVALIDCERTSTATUS] = "SSL server certificate status verification FAILED",
    [CURLE_HTTP2_STREAM] = "Stream error in the HTTP/2 framing layer",
    [CURLE_RECURSIVE_API_CALL] = "API function called from within callback",
    [CURLE_AUTH_ERROR] = "An authentication function returned an error",
    [CURLE_HTTP3] = "HTTP/3 error",
    [CURLE_QUIC_CONNECT_ERROR] = "QUIC connection error",
    [CURLE_PROXY] = "proxy handshake error",
    [CURLE_SSL_CLIENTCERT] = "SSL Client Certificate required",
    [CURLE_UNRECOVERABLE_POLL] = "Unrecoverable error in select/poll",};

const char *curl_easy_strerror(CURLcode error)
{
    if ((unsigned)error < sizeof(easyErrors) / sizeof(easyErrors[0]) && easyErrors[error] != NULL) {
        return easyErrors[error];
    }
    return "Unknown error";
}

const char *curl_multi_strerror(CURLMcode error)
{
    switch (error) {
    case CURLM_CALL_MULTI_PERFORM: return "Please call curl_multi_perform() soon";
    case CURLM_OK: return "No error";
    case CURLM_BAD_HANDLE: return "Invalid multi handle";
    case CURLM_BAD_EASY_HANDLE: return "Invalid easy handle";
    case CURLM_OUT_OF_MEMORY: return "Out of memory";
    case CURLM_INTERNAL_ERROR: return "Internal error";
    case CURLM_BAD_SOCKET: return "Invalid socket argument";
    case CURLM_UNKNOWN_OPTION: return "Unknown option";
    case CURLM_ADDED_ALREADY: return "The easy handle is already added to a multi handle";
    case CURLM_RECURSIVE_API_CALL: return "API function called from within callback";
    case CURLM_WAKEUP_FAILURE: return "Wakeup is unavailable or failed";
    case CURLM_BAD_FUNCTION_ARGUMENT: return "A libcurl function was given a bad argument";
    case CURLM_ABORTED_BY_CALLBACK: return "Operation was aborted by an application callback";
    case CURLM_UNRECOVERABLE_POLL: return "Unrecoverable error in select/poll";
    case CURLM_LAST: break;
    }
    return "Unknown error";
}

/* ---- global ---- */

CURLcode curl_global_init(long flags)
{
    (void)flags;
    return CURLE_OK;
}

void curl_global_cleanup(void) {}

static char versionText[] = "libcurl/" LIBCURL_VERSION " (sphere-sdk OS library: TLS and HTTP in the OS)";

char *curl_version(void)
{
    return versionText;
}

static const char *const protocols[] = {"http", "https", NULL};
static curl_version_info_data versionInfo = {
    .age = CURLVERSION_FOURTH,
    .version = LIBCURL_VERSION,
    .version_num = LIBCURL_VERSION_NUM,
    .host = "wasm32-sphere",
    .features = CURL_VERSION_SSL,
    .ssl_version = "sphere-os-tls",
    .protocols = protocols,
};

curl_version_info_data *curl_version_info(CURLversion v)
{
    (void)v;
    return &versionInfo;
}

void curl_free(void *p)
{
    free(p);
}

/* ---- slists ---- */

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *data)
{
    if (data == NULL) {
        return NULL;
    }
    struct curl_slist *item = malloc(sizeof(*item));
    char *copy = strdup(data);
    if (item == NULL || copy == NULL) {
        free(item);
        free(copy);
        return NULL;
    }
    item->data = copy;
    item->next = NULL;
    if (list == NULL) {
        return item;
    }
    struct curl_slist *last = list;
    while (last->next != NULL) {
        last = last->next;
    }
    last->next = item;
    return list;
}

void curl_slist_free_all(struct curl_slist *list)
{
    while (list != NULL) {
        struct curl_slist *next = list->next;
        free(list->data);
        free(list);
        list = next;
    }
}

/* ---- escaping ---- */

char *curl_easy_escape(CURL *handle, const char *string, int length)
{
    (void)handle;
    if (string == NULL) {
        return NULL;
    }
    size_t n = length > 0 ? (size_t)length : strlen(string);
    char *out = malloc(n * 3 + 1);
    if (out == NULL) {
        return NULL;
    }
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)string[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
            ch == '.' || ch == '_' || ch == '~') {
            out[o++] = (char)ch;
        } else {
            out[o++] = '%';
            out[o++] = hex[ch >> 4];
            out[o++] = hex[ch & 15];
        }
    }
    out[o] = '\0';
    return out;
}

static int hexValue(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

char *curl_easy_unescape(CURL *handle, const char *string, int length, int *outlength)
{
    (void)handle;
    if (string == NULL) {
        return NULL;
    }
    size_t n = length > 0 ? (size_t)length : strlen(string);
    char *out = malloc(n + 1);
    if (out == NULL) {
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (string[i] == '%' && i + 2 < n && hexValue(string[i + 1]) >= 0 && hexValue(string[i + 2]) >= 0) {
            out[o++] = (char)(hexValue(string[i + 1]) * 16 + hexValue(string[i + 2]));
            i += 2;
        } else {
            out[o++] = string[i];
        }
    }
    out[o] = '\0';
    if (outlength != NULL) {
        *outlength = (int)o;
    }
    return out;
}

/* ---- easy handles ---- */

static bool isEasy(const CURL *e)
{
    return e != NULL && e->magic == EASY_MAGIC;
}

static void setDefaults(CURL *e)
{
    e->magic = EASY_MAGIC;
    e->fd = -1;
    e->verifypeer = 1;
    e->verifyhost = 2;
    e->noprogress = 1;
    e->maxredirs = 30;
    e->postsize = -1;
    e->contentLength = -1;
    e->dltotal = 0;
}

CURL *curl_easy_init(void)
{
    CURL *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        return NULL;
    }
    setDefaults(e);
    return e;
}

static void freeInfo(CURL *e)
{
    free(e->effectiveUrl);
    free(e->contentType);
    free(e->primaryIp);
    free(e->method);
    e->effectiveUrl = e->contentType = e->primaryIp = e->method = NULL;
}

static void endTransfer(CURL *e)
{
    if (e->fd >= 0) {
        close(e->fd);
        e->fd = -1;
    }
    free(e->ev);
    e->ev = NULL;
    e->held = NULL;
    e->heldLen = 0;
    e->running = false;
}

static void freeOptions(CURL *e)
{
    for (int i = 0; i < S_COUNT; i++) {
        free(e->str[i]);
        e->str[i] = NULL;
    }
    free(e->postcopy);
    e->postcopy = NULL;
}

void curl_easy_reset(CURL *e)
{
    if (!isEasy(e)) {
        return;
    }
    struct Curl_multi *multi = e->multi;
    struct Curl_easy *next = e->next;
    endTransfer(e);
    freeOptions(e);
    freeInfo(e);
    memset(e, 0, sizeof(*e));
    setDefaults(e);
    e->multi = multi;
    e->next = next;
}

CURL *curl_easy_duphandle(CURL *src)
{
    if (!isEasy(src)) {
        return NULL;
    }
    CURL *e = curl_easy_init();
    if (e == NULL) {
        return NULL;
    }
    memcpy(e, src, sizeof(*e));
    for (int i = 0; i < S_COUNT; i++) {
        e->str[i] = src->str[i] != NULL ? strdup(src->str[i]) : NULL;
    }
    if (src->postcopy != NULL) {
        e->postcopy = malloc((size_t)src->postsize);
        if (e->postcopy != NULL) {
            memcpy(e->postcopy, src->postcopy, (size_t)src->postsize);
        }
        e->postfields = e->postcopy;
    }
    e->fd = -1;
    e->running = e->done = false;
    e->ev = e->held = NULL;
    e->heldLen = 0;
    e->effectiveUrl = e->contentType = e->primaryIp = e->method = NULL;
    e->multi = NULL;
    e->next = NULL;
    e->socketp = NULL;
    return e;
}

CURLMcode curl_multi_remove_handle(CURLM *m, CURL *e);

void curl_easy_cleanup(CURL *e)
{
    if (!isEasy(e)) {
        return;
    }
    if (e->multi != NULL) {
        curl_multi_remove_handle(e->multi, e);
    }
    endTransfer(e);
    freeOptions(e);
    freeInfo(e);
    e->magic = 0;
    free(e);
}

static CURLcode setString(CURL *e, int which, const char *value)
{
    free(e->str[which]);
    e->str[which] = NULL;
    if (value != NULL) {
        e->str[which] = strdup(value);
        if (e->str[which] == NULL) {
            return CURLE_OUT_OF_MEMORY;
        }
    }
    return CURLE_OK;
}

CURLcode curl_easy_setopt(CURL *e, CURLoption option, ...)
{
    if (!isEasy(e)) {
        return CURLE_BAD_FUNCTION_ARGUMENT;
    }
    va_list ap;
    va_start(ap, option);
    CURLcode rc = CURLE_OK;
    long lv = 0;
    void *pv = NULL;
    curl_off_t ov = 0;
    if (option >= CURLOPTTYPE_OFF_T && option < CURLOPTTYPE_BLOB) {
        ov = va_arg(ap, curl_off_t);
    } else if (option >= CURLOPTTYPE_OBJECTPOINT) {
        pv = va_arg(ap, void *);
    } else {
        lv = va_arg(ap, long);
    }
    va_end(ap);
    switch (option) {
    case CURLOPT_URL: rc = setString(e, S_URL, pv); break;
    case CURLOPT_CUSTOMREQUEST: rc = setString(e, S_CUSTOMREQUEST, pv); break;
    case CURLOPT_USERAGENT: rc = setString(e, S_USERAGENT, pv); break;
    case CURLOPT_CAINFO: rc = setString(e, S_CAINFO, pv); break;
    case CURLOPT_SSLCERT: rc = setString(e, S_SSLCERT, pv); break;
    case CURLOPT_SSLKEY: rc = setString(e, S_SSLKEY, pv); break;
    case CURLOPT_PROXY: rc = setString(e, S_PROXY, pv); break;
    case CURLOPT_NOPROXY: rc = setString(e, S_NOPROXY, pv); break;
    case CURLOPT_PROXYUSERPWD: rc = setString(e, S_PROXYUSERPWD, pv); break;
    case CURLOPT_PROXYUSERNAME: rc = setString(e, S_PROXYUSERNAME, pv); break;
    case CURLOPT_PROXYPASSWORD: rc = setString(e, S_PROXYPASSWORD, pv); break;
    case CURLOPT_USERPWD: rc = setString(e, S_USERPWD, pv); break;
    case CURLOPT_USERNAME: rc = setString(e, S_USERNAME, pv); break;
    case CURLOPT_PASSWORD: rc = setString(e, S_PASSWORD, pv); break;
    case CURLOPT_REFERER: rc = setString(e, S_REFERER, pv); break;
    case CURLOPT_HTTPHEADER: e->headers = pv; break;
    case CURLOPT_POSTFIELDS:
        e->postfields = pv;
        e->post = 1;
        break;
    case CURLOPT_COPYPOSTFIELDS: {
        free(e->postcopy);
        e->postcopy = NULL;
        if (pv != NULL) {
            size_t n = e->postsize >= 0 ? (size_t)e->postsize : strlen(pv);
            e->postcopy = malloc(n + 1);
            if (e->postcopy == NULL) {
                rc = CURLE_OUT_OF_MEMORY;
                break;
            }
            memcpy(e->postcopy, pv, n);
            e->postcopy[n] = '\0';
            e->postsize = (long)n;
        }
        e->postfields = e->postcopy;
        e->post = 1;
        break;
    }
    case CURLOPT_POSTFIELDSIZE: e->postsize = lv; break;
    case CURLOPT_POSTFIELDSIZE_LARGE: e->postsize = (long)ov; break;
    case CURLOPT_POST: e->post = lv != 0; break;
    case CURLOPT_HTTPGET:
        if (lv) {
            e->post = 0;
            e->nobody = 0;
            e->postfields = NULL;
        }
        break;
    case CURLOPT_NOBODY: e->nobody = lv != 0; break;
    case CURLOPT_HEADER: e->header = lv != 0; break;
    case CURLOPT_VERBOSE: e->verbose = lv != 0; break;
    case CURLOPT_FOLLOWLOCATION: e->follow = lv != 0; break;
    case CURLOPT_MAXREDIRS: e->maxredirs = lv; break;
    case CURLOPT_SSL_VERIFYPEER: e->verifypeer = lv != 0; break;
    case CURLOPT_SSL_VERIFYHOST: e->verifyhost = lv; break;
    case CURLOPT_FAILONERROR: e->failonerror = lv != 0; break;
    case CURLOPT_NOPROGRESS: e->noprogress = lv != 0; break;
    case CURLOPT_TIMEOUT: e->timeoutMs = lv * 1000; break;
    case CURLOPT_TIMEOUT_MS: e->timeoutMs = lv; break;
    case CURLOPT_CONNECTTIMEOUT: e->connectTimeoutMs = lv * 1000; break;
    case CURLOPT_CONNECTTIMEOUT_MS: e->connectTimeoutMs = lv; break;
    case CURLOPT_PROXYPORT: e->proxyport = lv; break;
    case CURLOPT_PROTOCOLS: e->protocols = lv; break;
    case CURLOPT_REDIR_PROTOCOLS: e->redirProtocols = lv; break;
    case CURLOPT_PORT: e->port = lv; break;
    case CURLOPT_WRITEFUNCTION: e->writefn = (curl_write_callback)pv; break;
    case CURLOPT_WRITEDATA: e->writedata = pv; break;
    case CURLOPT_HEADERFUNCTION: e->headerfn = (curl_write_callback)pv; break;
    case CURLOPT_HEADERDATA: e->headerdata = pv; break;
    case CURLOPT_XFERINFOFUNCTION: e->xferinfo = (curl_xferinfo_callback)pv; break;
    case CURLOPT_PROGRESSFUNCTION: e->progress = (curl_progress_callback)pv; break;
    case CURLOPT_XFERINFODATA: e->progressdata = pv; break;
    case CURLOPT_DEBUGFUNCTION: e->debugfn = (curl_debug_callback)pv; break;
    case CURLOPT_DEBUGDATA: e->debugdata = pv; break;
    case CURLOPT_ERRORBUFFER: e->errorbuffer = pv; break;
    case CURLOPT_PRIVATE: e->privatep = pv; break;
    case CURLOPT_SSL_CTX_FUNCTION:
        /* the TLS context is in the OS: the one context function it knows is the device certificate's */
        if (pv == (void *)DeviceAuth_CurlSslFunc) {
            rc = setString(e, S_SSLCERT, DEVICE_AUTH_CERT_PATH);
        } else if (pv != NULL) {
            rc = CURLE_NOT_BUILT_IN;
        }
        break;
    case CURLOPT_SSL_CTX_DATA:
        break;
    /* accepted; the OS's transfer decides these itself */
    case CURLOPT_PROXYTYPE:
    case CURLOPT_PROXYAUTH:
    case CURLOPT_HTTPAUTH:
    case CURLOPT_SSLVERSION:
    case CURLOPT_SSLCERTTYPE:
    case CURLOPT_SSLKEYTYPE:
    case CURLOPT_KEYPASSWD:
    case CURLOPT_HTTP_VERSION:
    case CURLOPT_NOSIGNAL:
    case CURLOPT_TCP_KEEPALIVE:
    case CURLOPT_TCP_NODELAY:
    case CURLOPT_BUFFERSIZE:
    case CURLOPT_UPLOAD_BUFFERSIZE:
    case CURLOPT_DNS_CACHE_TIMEOUT:
    case CURLOPT_FORBID_REUSE:
    case CURLOPT_FRESH_CONNECT:
    case CURLOPT_IPRESOLVE:
    case CURLOPT_ACCEPT_ENCODING:
    case CURLOPT_LOW_SPEED_LIMIT:
    case CURLOPT_LOW_SPEED_TIME:
    case CURLOPT_MAXCONNECTS:
    case CURLOPT_AUTOREFERER:
    case CURLOPT_POSTREDIR:
    case CURLOPT_SSL_OPTIONS:
    case CURLOPT_CAPATH:
        break;
    default:
        rc = CURLE_UNKNOWN_OPTION;
        break;
    }
    return rc;
}

/* ---- the request ---- */

typedef struct {
    uint8_t *p;
    size_t len, cap;
    bool failed;
} Blob;

static void put(Blob *b, uint32_t tag, const void *data, size_t n)
{
    if (b->failed) {
        return;
    }
    if (b->len + 8 + n > b->cap) {
        size_t cap = (b->cap == 0 ? 256 : b->cap * 2) + n + 8;
        uint8_t *p = realloc(b->p, cap);
        if (p == NULL) {
            b->failed = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    uint32_t len = (uint32_t)n;
    memcpy(b->p + b->len, &tag, 4);
    memcpy(b->p + b->len + 4, &len, 4);
    if (n > 0) {
        memcpy(b->p + b->len + 8, data, n);
    }
    b->len += 8 + n;
}

static void putString(Blob *b, uint32_t tag, const char *s)
{
    if (s != NULL) {
        put(b, tag, s, strlen(s));
    }
}

static void putLong(Blob *b, uint32_t tag, long v)
{
    int32_t x = (int32_t)v;
    put(b, tag, &x, 4);
}

static void putPair(Blob *b, uint32_t tag, const char *user, const char *password)
{
    if (user == NULL) {
        return;
    }
    size_t n = strlen(user) + 1 + (password != NULL ? strlen(password) : 0);
    char *s = malloc(n + 1);
    if (s == NULL) {
        b->failed = true;
        return;
    }
    snprintf(s, n + 1, "%s:%s", user, password != NULL ? password : "");
    putString(b, tag, s);
    free(s);
}

static void setError(CURL *e, CURLcode code, const char *text)
{
    e->result = code;
    if (e->errorbuffer != NULL) {
        snprintf(e->errorbuffer, CURL_ERROR_SIZE, "%s", text != NULL ? text : "");
    }
}

static CURLcode startTransfer(CURL *e, bool nonblock)
{
    endTransfer(e);
    freeInfo(e);
    e->done = false;
    e->result = CURLE_OK;
    e->pause = 0;
    e->dltotal = e->dlnow = 0;
    e->httpCode = e->redirects = e->osErrno = e->primaryPort = 0;
    e->contentLength = -1;
    if (e->errorbuffer != NULL) {
        e->errorbuffer[0] = '\0';
    }
    if (e->str[S_URL] == NULL) {
        setError(e, CURLE_URL_MALFORMAT, "No URL set");
        return CURLE_URL_MALFORMAT;
    }
    Blob b = {0};
    putString(&b, TAG_URL, e->str[S_URL]);
    putString(&b, TAG_METHOD, e->str[S_CUSTOMREQUEST]);
    for (struct curl_slist *h = e->headers; h != NULL; h = h->next) {
        putString(&b, TAG_HEADER, h->data);
    }
    if (e->post && e->postfields != NULL) {
        put(&b, TAG_BODY, e->postfields, e->postsize >= 0 ? (size_t)e->postsize : strlen(e->postfields));
    }
    putString(&b, TAG_USERAGENT, e->str[S_USERAGENT]);
    putString(&b, TAG_CAINFO, e->str[S_CAINFO]);
    putString(&b, TAG_SSLCERT, e->str[S_SSLCERT]);
    putString(&b, TAG_SSLKEY, e->str[S_SSLKEY]);
    putString(&b, TAG_PROXY, e->str[S_PROXY]);
    putString(&b, TAG_NOPROXY, e->str[S_NOPROXY]);
    if (e->str[S_PROXYUSERPWD] != NULL) {
        putString(&b, TAG_PROXYUSERPWD, e->str[S_PROXYUSERPWD]);
    } else {
        putPair(&b, TAG_PROXYUSERPWD, e->str[S_PROXYUSERNAME], e->str[S_PROXYPASSWORD]);
    }
    if (e->str[S_USERPWD] != NULL) {
        putString(&b, TAG_USERPWD, e->str[S_USERPWD]);
    } else {
        putPair(&b, TAG_USERPWD, e->str[S_USERNAME], e->str[S_PASSWORD]);
    }
    putString(&b, TAG_REFERER, e->str[S_REFERER]);
    long flags = (e->verbose ? F_VERBOSE : 0) | (e->follow ? F_FOLLOW : 0) | (e->verifypeer ? F_VERIFYPEER : 0) |
                 (e->verifyhost ? F_VERIFYHOST : 0) | (e->nobody ? F_NOBODY : 0) |
                 (e->failonerror ? F_FAILONERROR : 0) | (e->debugfn != NULL && e->verbose ? F_DEBUGFN : 0) |
                 (e->post ? F_POST : 0) | (nonblock ? F_NONBLOCK : 0);
    putLong(&b, TAG_FLAGS, flags);
    putLong(&b, TAG_TIMEOUT_MS, e->timeoutMs);
    putLong(&b, TAG_CONNECT_TIMEOUT_MS, e->connectTimeoutMs);
    putLong(&b, TAG_MAXREDIRS, e->maxredirs);
    putLong(&b, TAG_PROXYPORT, e->proxyport);
    putLong(&b, TAG_PROTOCOLS, e->protocols);
    putLong(&b, TAG_REDIR_PROTOCOLS, e->redirProtocols);
    putLong(&b, TAG_PORT, e->port);
    e->ev = malloc(EVENT_BUFFER);
    if (b.failed || e->ev == NULL) {
        free(b.p);
        free(e->ev);
        e->ev = NULL;
        setError(e, CURLE_OUT_OF_MEMORY, "Out of memory");
        return CURLE_OUT_OF_MEMORY;
    }
    int32_t fd = __sphere_curl_open(b.p, (uint32_t)b.len);
    free(b.p);
    if (fd < 0) {
        free(e->ev);
        e->ev = NULL;
        e->osErrno = -fd;
        char text[CURL_ERROR_SIZE];
        snprintf(text, sizeof(text), "Could not start the transfer: %s", strerror(-fd));
        CURLcode code = -fd == ENOMEM || -fd == E2BIG ? CURLE_OUT_OF_MEMORY : CURLE_COULDNT_CONNECT;
        setError(e, code, text);
        return code;
    }
    e->fd = fd;
    e->running = true;
    return CURLE_OK;
}

static char *dupField(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *s = *p;
    const uint8_t *z = memchr(s, 0, (size_t)(end - s));
    if (z == NULL) {
        *p = end;
        return NULL;
    }
    *p = z + 1;
    return strdup((const char *)s);
}

static void readDone(CURL *e, const uint8_t *d, uint32_t n)
{
    const uint8_t *end = d + n;
    int32_t fixed[4];
    if (n < 16 + 72 + 4) {
        setError(e, CURLE_RECV_ERROR, "Malformed transfer result");
        return;
    }
    memcpy(fixed, d, 16);
    int64_t v[9];
    memcpy(v, d + 16, 72);
    int32_t port;
    memcpy(&port, d + 88, 4);
    const uint8_t *p = d + 92;
    e->httpCode = fixed[1];
    e->redirects = fixed[2];
    e->osErrno = fixed[3];
    for (int i = 0; i < 6; i++) {
        e->timesUs[i] = v[i];
    }
    e->sizeDownload = v[6];
    e->contentLength = v[7];
    e->headerSize = v[8];
    e->primaryPort = port;
    e->effectiveUrl = dupField(&p, end);
    char *ctype = dupField(&p, end);
    if (ctype != NULL && ctype[0] == '\0') {
        free(ctype);
        ctype = NULL;
    }
    e->contentType = ctype;
    char *error = dupField(&p, end);
    e->primaryIp = dupField(&p, end);
    e->method = dupField(&p, end);
    setError(e, (CURLcode)fixed[0], error);
    free(error);
}

/* The progress callback: 0 to go on. */
static int reportProgress(CURL *e)
{
    if (e->noprogress) {
        return 0;
    }
    int r = 0;
    if (e->xferinfo != NULL) {
        r = e->xferinfo(e->progressdata, e->dltotal, e->dlnow, 0, 0);
    } else if (e->progress != NULL) {
        r = e->progress(e->progressdata, (double)e->dltotal, (double)e->dlnow, 0, 0);
    }
    return r == CURL_PROGRESSFUNC_CONTINUE ? 0 : r;
}

static void abortTransfer(CURL *e, CURLcode code, const char *text)
{
    setError(e, code, text);
    e->done = true;
    endTransfer(e);
}

/* Deliver body bytes to the write callback (or stdout). false: the transfer ended or paused. */
static bool deliver(CURL *e, uint8_t *data, size_t n)
{
    size_t r;
    if (e->writefn != NULL) {
        r = e->writefn((char *)data, 1, n, e->writedata);
    } else {
        r = fwrite(data, 1, n, e->writedata != NULL ? (FILE *)e->writedata : stdout);
    }
    if (r == CURL_WRITEFUNC_PAUSE) {
        e->held = data;
        e->heldLen = n;
        e->pause |= CURLPAUSE_RECV;
        return false;
    }
    if (r != n) {
        char text[CURL_ERROR_SIZE];
        snprintf(text, sizeof(text), "Failure writing output to destination, passed %zu returned %zu", n, r);
        abortTransfer(e, CURLE_WRITE_ERROR, text);
        return false;
    }
    e->dlnow += (curl_off_t)n;
    if (reportProgress(e) != 0) {
        abortTransfer(e, CURLE_ABORTED_BY_CALLBACK, "Callback aborted");
        return false;
    }
    return true;
}

/* One step of a transfer: 1 something happened, 0 nothing to do now (non-blocking, or paused). */
static int step(CURL *e, bool nonblock)
{
    if (e->done) {
        return 0;
    }
    if (e->heldLen > 0) {
        if (e->pause & CURLPAUSE_RECV) {
            if (reportProgress(e) != 0) {
                abortTransfer(e, CURLE_ABORTED_BY_CALLBACK, "Callback aborted");
                return 1;
            }
            if (e->pause & CURLPAUSE_RECV) {
                if (!nonblock) {
                    struct timespec t = {.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000};
                    nanosleep(&t, NULL);
                }
                return 0;
            }
        }
        uint8_t *data = e->held;
        size_t n = e->heldLen;
        e->held = NULL;
        e->heldLen = 0;
        deliver(e, data, n);
        return 1;
    }
    int32_t n = __sphere_curl_next(e->fd, e->ev, EVENT_BUFFER);
    __sphere_after_blocking_call();
    if (n == -EAGAIN || n == -EINTR) {
        return 0;
    }
    if (n <= 0) {
        abortTransfer(e, CURLE_RECV_ERROR, n == 0 ? "Transfer ended without a result" : strerror(-n));
        return 1;
    }
    uint32_t type, len;
    memcpy(&type, e->ev, 4);
    memcpy(&len, e->ev + 4, 4);
    uint8_t *d = e->ev + 8;
    switch (type) {
    case EV_HEADER:
        if (e->headerfn != NULL) {
            size_t r = e->headerfn((char *)d, 1, len, e->headerdata);
            if (r != len) {
                abortTransfer(e, CURLE_WRITE_ERROR, "Failed writing header");
                return 1;
            }
        }
        if (e->header) {
            deliver(e, d, len);
        }
        break;
    case EV_BODYSTART: {
        int64_t cl;
        memcpy(&cl, d, 8);
        e->dltotal = cl > 0 ? cl : 0;
        if (reportProgress(e) != 0) {
            abortTransfer(e, CURLE_ABORTED_BY_CALLBACK, "Callback aborted");
        }
        break;
    }
    case EV_DATA:
        deliver(e, d, len);
        break;
    case EV_DEBUG:
        if (e->debugfn != NULL && len >= 4) {
            uint32_t kind;
            memcpy(&kind, d, 4);
            e->debugfn(e, (curl_infotype)kind, (char *)d + 4, len - 4, e->debugdata);
        }
        break;
    case EV_DONE:
        readDone(e, d, len);
        e->done = true;
        if (e->result == CURLE_OK && reportProgress(e) != 0) {
            setError(e, CURLE_ABORTED_BY_CALLBACK, "Callback aborted");
        }
        endTransfer(e);
        break;
    default:
        break;
    }
    return 1;
}

CURLcode curl_easy_perform(CURL *e)
{
    if (!isEasy(e)) {
        return CURLE_BAD_FUNCTION_ARGUMENT;
    }
    if (e->multi != NULL) {
        return CURLE_FAILED_INIT;
    }
    CURLcode rc = startTransfer(e, false);
    if (rc != CURLE_OK) {
        return rc;
    }
    while (!e->done) {
        step(e, false);
    }
    return e->result;
}

CURLcode curl_easy_pause(CURL *e, int bitmask)
{
    if (!isEasy(e)) {
        return CURLE_BAD_FUNCTION_ARGUMENT;
    }
    e->pause = bitmask;
    if (!(bitmask & CURLPAUSE_RECV) && e->heldLen > 0 && e->multi != NULL && e->multi->timerfn != NULL) {
        /* held data waits: ask the app to call curl_multi_socket_action soon */
        e->multi->lastTimeout = 0;
        e->multi->timerfn(e->multi, 0, e->multi->timerdata);
    }
    return CURLE_OK;
}

static double seconds(curl_off_t us)
{
    return (double)us / 1e6;
}

CURLcode curl_easy_getinfo(CURL *e, CURLINFO info, ...)
{
    if (!isEasy(e)) {
        return CURLE_BAD_FUNCTION_ARGUMENT;
    }
    va_list ap;
    va_start(ap, info);
    void *out = va_arg(ap, void *);
    va_end(ap);
    if (out == NULL) {
        return CURLE_BAD_FUNCTION_ARGUMENT;
    }
    long *l = out;
    double *dbl = out;
    curl_off_t *o = out;
    const char **s = out;
    switch (info) {
    case CURLINFO_EFFECTIVE_URL: *s = e->effectiveUrl != NULL ? e->effectiveUrl : e->str[S_URL]; break;
    case CURLINFO_RESPONSE_CODE: *l = e->httpCode; break;
    case CURLINFO_HTTP_CONNECTCODE: *l = 0; break;
    case CURLINFO_TOTAL_TIME: *dbl = seconds(e->timesUs[0]); break;
    case CURLINFO_NAMELOOKUP_TIME: *dbl = seconds(e->timesUs[1]); break;
    case CURLINFO_CONNECT_TIME: *dbl = seconds(e->timesUs[2]); break;
    case CURLINFO_APPCONNECT_TIME: *dbl = seconds(e->timesUs[3]); break;
    case CURLINFO_PRETRANSFER_TIME: *dbl = seconds(e->timesUs[4]); break;
    case CURLINFO_STARTTRANSFER_TIME: *dbl = seconds(e->timesUs[5]); break;
    case CURLINFO_TOTAL_TIME_T: *o = e->timesUs[0]; break;
    case CURLINFO_NAMELOOKUP_TIME_T: *o = e->timesUs[1]; break;
    case CURLINFO_CONNECT_TIME_T: *o = e->timesUs[2]; break;
    case CURLINFO_APPCONNECT_TIME_T: *o = e->timesUs[3]; break;
    case CURLINFO_PRETRANSFER_TIME_T: *o = e->timesUs[4]; break;
    case CURLINFO_STARTTRANSFER_TIME_T: *o = e->timesUs[5]; break;
    case CURLINFO_SIZE_DOWNLOAD: *dbl = (double)e->dlnow; break;
    case CURLINFO_SIZE_DOWNLOAD_T: *o = e->dlnow; break;
    case CURLINFO_SIZE_UPLOAD: *dbl = 0; break;
    case CURLINFO_SIZE_UPLOAD_T: *o = 0; break;
    case CURLINFO_CONTENT_LENGTH_DOWNLOAD: *dbl = (double)e->contentLength; break;
    case CURLINFO_CONTENT_LENGTH_DOWNLOAD_T: *o = e->contentLength; break;
    case CURLINFO_CONTENT_TYPE: *s = e->contentType; break;
    case CURLINFO_REDIRECT_COUNT: *l = e->redirects; break;
    case CURLINFO_HEADER_SIZE: *l = (long)e->headerSize; break;
    case CURLINFO_PRIVATE: *(void **)out = e->privatep; break;
    case CURLINFO_OS_ERRNO: *l = e->osErrno; break;
    case CURLINFO_PRIMARY_IP: *s = e->primaryIp; break;
    case CURLINFO_PRIMARY_PORT: *l = e->primaryPort; break;
    case CURLINFO_EFFECTIVE_METHOD: *s = e->method; break;
    case CURLINFO_HTTP_VERSION: *l = e->httpCode != 0 ? CURL_HTTP_VERSION_1_1 : 0; break;
    case CURLINFO_NUM_CONNECTS: *l = e->redirects + (e->httpCode != 0 ? 1 : 0); break;
    case CURLINFO_SSL_VERIFYRESULT: *l = 0; break;
    case CURLINFO_CAINFO: *s = e->str[S_CAINFO]; break;
    case CURLINFO_ACTIVESOCKET: *(curl_socket_t *)out = e->fd; break;
    default: return CURLE_UNKNOWN_OPTION;
    }
    return CURLE_OK;
}

/* ---- multi ---- */

static bool isMulti(const CURLM *m)
{
    return m != NULL && m->magic == MULTI_MAGIC;
}

CURLM *curl_multi_init(void)
{
    CURLM *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return NULL;
    }
    m->magic = MULTI_MAGIC;
    m->lastTimeout = -1;
    return m;
}

CURLMcode curl_multi_setopt(CURLM *m, CURLMoption option, ...)
{
    if (!isMulti(m)) {
        return CURLM_BAD_HANDLE;
    }
    va_list ap;
    va_start(ap, option);
    void *pv = NULL;
    if (option >= CURLOPTTYPE_OFF_T) {
        (void)va_arg(ap, curl_off_t);
    } else if (option >= CURLOPTTYPE_OBJECTPOINT) {
        pv = va_arg(ap, void *);
    } else {
        (void)va_arg(ap, long);
    }
    va_end(ap);
    switch (option) {
    case CURLMOPT_SOCKETFUNCTION: m->socketfn = (curl_socket_callback)pv; break;
    case CURLMOPT_SOCKETDATA: m->socketdata = pv; break;
    case CURLMOPT_TIMERFUNCTION: m->timerfn = (curl_multi_timer_callback)pv; break;
    case CURLMOPT_TIMERDATA: m->timerdata = pv; break;
    case CURLMOPT_PIPELINING:
    case CURLMOPT_MAXCONNECTS:
    case CURLMOPT_MAX_HOST_CONNECTIONS:
    case CURLMOPT_MAX_TOTAL_CONNECTIONS:
    case CURLMOPT_MAX_CONCURRENT_STREAMS:
        break;
    default: return CURLM_UNKNOWN_OPTION;
    }
    return CURLM_OK;
}

static void setTimer(CURLM *m, long ms)
{
    if (m->timerfn == NULL || (ms == -1 && m->lastTimeout == -1)) {
        return;
    }
    m->lastTimeout = ms;
    m->timerfn(m, ms, m->timerdata);
}

CURLMcode curl_multi_add_handle(CURLM *m, CURL *e)
{
    if (!isMulti(m)) {
        return CURLM_BAD_HANDLE;
    }
    if (!isEasy(e)) {
        return CURLM_BAD_EASY_HANDLE;
    }
    if (e->multi != NULL) {
        return CURLM_ADDED_ALREADY;
    }
    if (m->inCallback) {
        return CURLM_RECURSIVE_API_CALL;
    }
    e->multi = m;
    e->next = m->easies;
    m->easies = e;
    e->pending = true;
    e->done = false;
    e->socketp = NULL;
    setTimer(m, 0);
    return CURLM_OK;
}

static void dropMessages(CURLM *m, CURL *e)
{
    size_t w = m->msgRead;
    for (size_t r = m->msgRead; r < m->msgCount; r++) {
        if (m->msgs[r].easy_handle != e) {
            m->msgs[w++] = m->msgs[r];
        }
    }
    m->msgCount = w;
}

static void socketCallback(CURLM *m, CURL *e, int what)
{
    if (m->socketfn != NULL && e->fd >= 0) {
        m->inCallback = true;
        m->socketfn(e, e->fd, what, m->socketdata, e->socketp);
        m->inCallback = false;
    }
}

CURLMcode curl_multi_remove_handle(CURLM *m, CURL *e)
{
    if (!isMulti(m)) {
        return CURLM_BAD_HANDLE;
    }
    if (!isEasy(e)) {
        return CURLM_BAD_EASY_HANDLE;
    }
    if (e->multi == NULL) {
        return CURLM_OK;
    }
    if (e->multi != m) {
        return CURLM_BAD_EASY_HANDLE;
    }
    if (m->inCallback) {
        return CURLM_RECURSIVE_API_CALL;
    }
    if (e->running) {
        socketCallback(m, e, CURL_POLL_REMOVE);
    }
    endTransfer(e);
    dropMessages(m, e);
    for (CURL **p = &m->easies; *p != NULL; p = &(*p)->next) {
        if (*p == e) {
            *p = e->next;
            break;
        }
    }
    e->multi = NULL;
    e->next = NULL;
    e->pending = false;
    e->socketp = NULL;
    return CURLM_OK;
}

static void pushMessage(CURLM *m, CURL *e)
{
    if (m->msgRead > 0 && m->msgRead == m->msgCount) {
        m->msgRead = m->msgCount = 0;
    }
    if (m->msgCount == m->msgCap) {
        size_t cap = m->msgCap == 0 ? 4 : m->msgCap * 2;
        CURLMsg *p = realloc(m->msgs, cap * sizeof(*p));
        if (p == NULL) {
            return;
        }
        m->msgs = p;
        m->msgCap = cap;
    }
    CURLMsg *msg = &m->msgs[m->msgCount++];
    msg->msg = CURLMSG_DONE;
    msg->easy_handle = e;
    msg->data.result = e->result;
}

/* Start what waits, run every transfer as far as it goes without blocking, report what finished. */
static int service(CURLM *m, curl_socket_t only)
{
    bool again = false;
    for (CURL *e = m->easies; e != NULL; e = e->next) {
        if (e->pending) {
            e->pending = false;
            if (startTransfer(e, true) != CURLE_OK) {
                e->done = true;
                pushMessage(m, e);
                continue;
            }
            socketCallback(m, e, CURL_POLL_IN);
        }
    }
    for (CURL *e = m->easies; e != NULL; e = e->next) {
        if (!e->running || (only != CURL_SOCKET_TIMEOUT && e->fd != only && e->heldLen == 0)) {
            continue;
        }
        int fd = e->fd;
        int budget = 64;
        while (!e->done && budget-- > 0 && step(e, true) == 1) {
        }
        if (!e->done && budget <= 0) {
            again = true;
        }
        if (e->heldLen > 0 && !(e->pause & CURLPAUSE_RECV)) {
            again = true;
        }
        if (e->done) {
            if (m->socketfn != NULL) {
                m->inCallback = true;
                m->socketfn(e, fd, CURL_POLL_REMOVE, m->socketdata, e->socketp);
                m->inCallback = false;
            }
            e->socketp = NULL;
            pushMessage(m, e);
        }
    }
    int running = 0;
    for (CURL *e = m->easies; e != NULL; e = e->next) {
        if (e->running || e->pending) {
            running++;
        }
    }
    setTimer(m, again ? 0 : -1);
    return running;
}

CURLMcode curl_multi_socket_action(CURLM *m, curl_socket_t s, int ev_bitmask, int *running_handles)
{
    (void)ev_bitmask;
    if (!isMulti(m)) {
        return CURLM_BAD_HANDLE;
    }
    if (m->inCallback) {
        return CURLM_RECURSIVE_API_CALL;
    }
    int n = service(m, s);
    if (running_handles != NULL) {
        *running_handles = n;
    }
    return CURLM_OK;
}

CURLMcode curl_multi_socket_all(CURLM *m, int *running_handles)
{
    return curl_multi_socket_action(m, CURL_SOCKET_TIMEOUT, 0, running_handles);
}

CURLMcode curl_multi_perform(CURLM *m, int *running_handles)
{
    return curl_multi_socket_action(m, CURL_SOCKET_TIMEOUT, 0, running_handles);
}

CURLMcode curl_multi_assign(CURLM *m, curl_socket_t fd, void *sockp)
{
    if (!isMulti(m)) {
        return CURLM_BAD_HANDLE;
    }
    for (CURL *e = m->easies; e != NULL; e = e->next) {
        if (e->running && e->fd == fd) {
            e->socketp = sockp;
            return CURLM_OK;
        }
    }
    return CURLM_BAD_SOCKET;
}

CURLMcode curl_multi_timeout(CURLM *m, long *milliseconds)
{
    if (!isMulti(m)) {
        return CURLM_BAD_HANDLE;
    }
    if (milliseconds == NULL) {
        return CURLM_BAD_FUNCTION_ARGUMENT;
    }
    *milliseconds = -1;
    for (CURL *e = m->easies; e != NULL; e = e->next) {
        if (e->pending || (e->heldLen > 0 && !(e->pause & CURLPAUSE_RECV))) {
            *milliseconds = 0;
        }
    }
    return CURLM_OK;
}

CURLMcode curl_multi_fdset(CURLM *m, void *read_fd_set, void *write_fd_set, void *exc_fd_set, int *max_fd)
{
    (void)write_fd_set;
    (void)exc_fd_set;
    if (!isMulti(m)) {
        return CURLM_BAD_HANDLE;
    }
    int mx = -1;
    for (CURL *e = m->easies; e != NULL; e = e->next) {
        if (e->running && e->fd >= 0 && e->fd < FD_SETSIZE) {
            if (read_fd_set != NULL) {
                FD_SET(e->fd, (fd_set *)read_fd_set);
            }
            if (e->fd > mx) {
                mx = e->fd;
            }
        }
    }
    if (max_fd != NULL) {
        *max_fd = mx;
    }
    return CURLM_OK;
}

CURLMcode curl_multi_wait(CURLM *m, struct curl_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms,
                          int *ret)
{
    if (!isMulti(m)) {
        return CURLM_BAD_HANDLE;
    }
    long now = 0;
    curl_multi_timeout(m, &now);
    if (now == 0) {
        timeout_ms = 0;
    }
    int ep = epoll_create1(0);
    if (ep < 0) {
        return CURLM_OUT_OF_MEMORY;
    }
    int watched = 0;
    for (CURL *e = m->easies; e != NULL; e = e->next) {
        if (e->running && e->fd >= 0) {
            struct epoll_event ev = {.events = EPOLLIN, .data.fd = e->fd};
            if (epoll_ctl(ep, EPOLL_CTL_ADD, e->fd, &ev) == 0) {
                watched++;
            }
        }
    }
    for (unsigned int i = 0; i < extra_nfds; i++) {
        uint32_t events = (extra_fds[i].events & CURL_WAIT_POLLIN ? EPOLLIN : 0) |
                          (extra_fds[i].events & CURL_WAIT_POLLOUT ? EPOLLOUT : 0);
        struct epoll_event ev = {.events = events, .data.u32 = 0x80000000u | i};
        extra_fds[i].revents = 0;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, extra_fds[i].fd, &ev) == 0) {
            watched++;
        }
    }
    struct epoll_event ready[16];
    int n = watched == 0 && timeout_ms == 0 ? 0 : epoll_wait(ep, ready, 16, timeout_ms);
    int count = 0;
    for (int i = 0; i < n; i++) {
        if (ready[i].data.u32 & 0x80000000u) {
            unsigned int k = ready[i].data.u32 & 0x7fffffffu;
            extra_fds[k].revents = (short)((ready[i].events & EPOLLIN ? CURL_WAIT_POLLIN : 0) |
                                           (ready[i].events & EPOLLOUT ? CURL_WAIT_POLLOUT : 0));
        }
        count++;
    }
    close(ep);
    if (ret != NULL) {
        *ret = count;
    }
    return CURLM_OK;
}

CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms,
                          int *ret)
{
    return curl_multi_wait(m, extra_fds, extra_nfds, timeout_ms, ret);
}

CURLMcode curl_multi_wakeup(CURLM *m)
{
    return isMulti(m) ? CURLM_WAKEUP_FAILURE : CURLM_BAD_HANDLE;
}

CURLMsg *curl_multi_info_read(CURLM *m, int *msgs_in_queue)
{
    if (msgs_in_queue != NULL) {
        *msgs_in_queue = 0;
    }
    if (!isMulti(m) || m->inCallback || m->msgRead >= m->msgCount) {
        return NULL;
    }
    CURLMsg *msg = &m->msgs[m->msgRead++];
    if (msgs_in_queue != NULL) {
        *msgs_in_queue = (int)(m->msgCount - m->msgRead);
    }
    return msg;
}

CURLMcode curl_multi_cleanup(CURLM *m)
{
    if (!isMulti(m)) {
        return CURLM_BAD_HANDLE;
    }
    if (m->inCallback) {
        return CURLM_RECURSIVE_API_CALL;
    }
    while (m->easies != NULL) {
        CURL *e = m->easies;
        if (e->running) {
            socketCallback(m, e, CURL_POLL_REMOVE);
        }
        endTransfer(e);
        m->easies = e->next;
        e->multi = NULL;
        e->next = NULL;
        e->pending = false;
    }
    free(m->msgs);
    m->magic = 0;
    free(m);
    return CURLM_OK;
}
