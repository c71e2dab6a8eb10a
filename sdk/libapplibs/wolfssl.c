/* sphere-sdk libapplibs: wolfSSL as the OS provides it (<wolfssl/ssl.h>). Contexts and sessions are handles of
   the OS (imports sphere.tls_*, sdk/ABI.md); the TLS client runs on the host side of the OS over the app's own
   connected TCP socket. Here: argument checks, the wolfSSL return conventions (WOLFSSL_SUCCESS, -1 plus
   wolfSSL_get_error) and the error strings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wolfssl/ssl.h>

#include "internal.h"

struct WOLFSSL_METHOD {
    int version;
};

struct WOLFSSL_CTX {
    int32_t handle;
};

struct WOLFSSL {
    int32_t handle;
    int fd;
    int lastError;
};

static WOLFSSL_METHOD anyTls = {0};
static WOLFSSL_METHOD tls12 = {12};
static WOLFSSL_METHOD tls13 = {13};

int wolfSSL_Init(void)
{
    return WOLFSSL_SUCCESS;
}

int wolfSSL_Cleanup(void)
{
    return WOLFSSL_SUCCESS;
}

int wolfSSL_Debugging_ON(void)
{
    return WOLFSSL_NOT_IMPLEMENTED; /* as a wolfSSL built without DEBUG_WOLFSSL */
}

void wolfSSL_Debugging_OFF(void) {}

WOLFSSL_METHOD *wolfSSLv23_client_method(void)
{
    return &anyTls;
}

WOLFSSL_METHOD *wolfTLS_client_method(void)
{
    return &anyTls;
}

WOLFSSL_METHOD *wolfTLSv1_2_client_method(void)
{
    return &tls12;
}

WOLFSSL_METHOD *wolfTLSv1_3_client_method(void)
{
    return &tls13;
}

WOLFSSL_CTX *wolfSSL_CTX_new(WOLFSSL_METHOD *method)
{
    if (method == NULL) {
        return NULL;
    }
    WOLFSSL_CTX *ctx = malloc(sizeof(*ctx));
    if (ctx == NULL) {
        return NULL;
    }
    ctx->handle = __sphere_tls_ctx_new(method->version);
    if (ctx->handle < 0) {
        free(ctx);
        return NULL;
    }
    return ctx;
}

void wolfSSL_CTX_free(WOLFSSL_CTX *ctx)
{
    if (ctx != NULL) {
        __sphere_tls_ctx_free(ctx->handle);
        free(ctx);
    }
}

int wolfSSL_CTX_load_verify_locations(WOLFSSL_CTX *ctx, const char *file, const char *path)
{
    if (ctx == NULL || (file == NULL && path == NULL)) {
        return WOLFSSL_FAILURE;
    }
    if (file == NULL) {
        return WOLFSSL_BAD_FILE; /* CA directories are not supported: name a file */
    }
    int32_t r = __sphere_tls_ctx_load_verify(ctx->handle, file, (uint32_t)strlen(file));
    if (r == 0) {
        return WOLFSSL_SUCCESS;
    }
    if (r > -100) {
        return r == -ENOMEM ? MEMORY_ERROR : WOLFSSL_BAD_FILE;
    }
    return r;
}

void wolfSSL_CTX_set_verify(WOLFSSL_CTX *ctx, int mode, VerifyCallback verify)
{
    (void)verify;
    if (ctx != NULL) {
        __sphere_tls_ctx_set_verify(ctx->handle, mode);
    }
}

WOLFSSL *wolfSSL_new(WOLFSSL_CTX *ctx)
{
    if (ctx == NULL) {
        return NULL;
    }
    WOLFSSL *ssl = malloc(sizeof(*ssl));
    if (ssl == NULL) {
        return NULL;
    }
    ssl->handle = __sphere_tls_new(ctx->handle);
    ssl->fd = -1;
    ssl->lastError = 0;
    if (ssl->handle < 0) {
        free(ssl);
        return NULL;
    }
    return ssl;
}

void wolfSSL_free(WOLFSSL *ssl)
{
    if (ssl != NULL) {
        __sphere_tls_free(ssl->handle);
        free(ssl);
    }
}

int wolfSSL_set_fd(WOLFSSL *ssl, int fd)
{
    if (ssl == NULL || fd < 0) {
        return BAD_FUNC_ARG;
    }
    int32_t r = __sphere_tls_set_fd(ssl->handle, fd);
    if (r != 0) {
        errno = -r;
        return WOLFSSL_FAILURE;
    }
    ssl->fd = fd;
    return WOLFSSL_SUCCESS;
}

int wolfSSL_get_fd(const WOLFSSL *ssl)
{
    return ssl == NULL ? BAD_FUNC_ARG : ssl->fd;
}

void wolfSSL_set_using_nonblock(WOLFSSL *ssl, int nonblock)
{
    (void)ssl;
    (void)nonblock; /* the socket's own O_NONBLOCK decides */
}

static int SetName(WOLFSSL *ssl, int kind, const char *name, size_t len)
{
    if (ssl == NULL || name == NULL || len == 0) {
        return BAD_FUNC_ARG;
    }
    return __sphere_tls_set_name(ssl->handle, kind, name, (uint32_t)len) == 0 ? WOLFSSL_SUCCESS
                                                                               : WOLFSSL_FAILURE;
}

int wolfSSL_check_domain_name(WOLFSSL *ssl, const char *dn)
{
    return SetName(ssl, 1, dn, dn ? strlen(dn) : 0);
}

int wolfSSL_UseSNI(WOLFSSL *ssl, unsigned char type, const void *data, unsigned short size)
{
    if (type != WOLFSSL_SNI_HOST_NAME) {
        return BAD_FUNC_ARG;
    }
    return SetName(ssl, 0, data, size);
}

/* A TLS call's result: the wolfSSL convention (value, or -1 with lastError set). */
static int Fail(WOLFSSL *ssl, int32_t r, int wouldBlock)
{
    if (r == -EAGAIN) {
        ssl->lastError = wouldBlock;
    } else if (r <= -100) {
        ssl->lastError = r;
    } else {
        errno = -r;
        ssl->lastError = r == -ECONNRESET || r == -EPIPE ? SOCKET_ERROR_E : WOLFSSL_ERROR_SYSCALL;
    }
    return WOLFSSL_FATAL_ERROR;
}

int wolfSSL_connect(WOLFSSL *ssl)
{
    if (ssl == NULL) {
        return BAD_FUNC_ARG;
    }
    int32_t r = __sphere_tls_connect(ssl->handle);
    if (r == 0) {
        ssl->lastError = 0;
        return WOLFSSL_SUCCESS;
    }
    if (r == 1 || r == 2) {
        ssl->lastError = r == 1 ? WOLFSSL_ERROR_WANT_READ : WOLFSSL_ERROR_WANT_WRITE;
        return WOLFSSL_FATAL_ERROR;
    }
    return Fail(ssl, r, WOLFSSL_ERROR_WANT_READ);
}

int wolfSSL_read(WOLFSSL *ssl, void *data, int sz)
{
    if (ssl == NULL || data == NULL || sz < 0) {
        return BAD_FUNC_ARG;
    }
    int32_t r = __sphere_tls_read(ssl->handle, data, (uint32_t)sz);
    if (r > 0) {
        ssl->lastError = 0;
        return r;
    }
    if (r == 0) {
        ssl->lastError = WOLFSSL_ERROR_ZERO_RETURN;
        return 0;
    }
    return Fail(ssl, r, WOLFSSL_ERROR_WANT_READ);
}

int wolfSSL_write(WOLFSSL *ssl, const void *data, int sz)
{
    if (ssl == NULL || data == NULL || sz < 0) {
        return BAD_FUNC_ARG;
    }
    int32_t r = __sphere_tls_write(ssl->handle, data, (uint32_t)sz);
    if (r >= 0) {
        ssl->lastError = 0;
        return r;
    }
    return Fail(ssl, r, WOLFSSL_ERROR_WANT_WRITE);
}

int wolfSSL_shutdown(WOLFSSL *ssl)
{
    if (ssl == NULL) {
        return BAD_FUNC_ARG;
    }
    int32_t r = __sphere_tls_shutdown(ssl->handle);
    return r == 0 ? WOLFSSL_SUCCESS : Fail(ssl, r, WOLFSSL_ERROR_WANT_WRITE);
}

int wolfSSL_pending(WOLFSSL *ssl)
{
    (void)ssl;
    return 0; /* decrypted bytes wait in the OS, where the socket's readiness reports them */
}

int wolfSSL_get_error(WOLFSSL *ssl, int ret)
{
    if (ssl == NULL) {
        return BAD_FUNC_ARG;
    }
    if (ret > 0) {
        return WOLFSSL_ERROR_NONE;
    }
    return ssl->lastError;
}

const char *wolfSSL_ERR_reason_error_string(unsigned long e)
{
    switch ((int)e) {
    case WOLFSSL_ERROR_WANT_READ:
    case WANT_READ:
        return "non-blocking socket wants data to be read";
    case WOLFSSL_ERROR_WANT_WRITE:
    case WANT_WRITE:
        return "non-blocking socket write buffer full";
    case WOLFSSL_ERROR_ZERO_RETURN:
    case ZERO_RETURN:
        return "peer sent close notify";
    case WOLFSSL_ERROR_SYSCALL:
        return "system call error";
    case ASN_AFTER_DATE_E:
        return "ASN date error, current date after";
    case ASN_NO_SIGNER_E:
        return "ASN no signer error to confirm failure";
    case MEMORY_ERROR:
        return "out of memory";
    case SOCKET_ERROR_E:
        return "error state on socket";
    case FATAL_ERROR:
        return "revcd alert fatal error";
    case DOMAIN_NAME_MISMATCH:
        return "peer subject name mismatch";
    case VERSION_ERROR:
        return "record layer version error";
    case VERIFY_CERT_ERROR:
        return "verify problem on certificate";
    case SSL_NO_PEM_HEADER:
        return "no PEM header found";
    case SOCKET_PEER_CLOSED_E:
        return "peer closed the underlying transport";
    case BAD_FUNC_ARG:
        return "bad function argument";
    case WOLFSSL_BAD_FILE:
        return "bad file";
    case WOLFSSL_BAD_FILETYPE:
        return "bad file type";
    default:
        return "unknown error number";
    }
}

void wolfSSL_ERR_error_string_n(unsigned long e, char *buf, unsigned long sz)
{
    if (buf != NULL && sz > 0) {
        snprintf(buf, sz, "wolfSSL error %d: %s", (int)e, wolfSSL_ERR_reason_error_string(e));
    }
}

char *wolfSSL_ERR_error_string(unsigned long errNumber, char *data)
{
    static char text[WOLFSSL_MAX_ERROR_SZ];
    char *out = data != NULL ? data : text;
    wolfSSL_ERR_error_string_n(errNumber, out, WOLFSSL_MAX_ERROR_SZ);
    return out;
}
