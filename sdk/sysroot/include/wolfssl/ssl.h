/* sphere-sdk sysroot: <wolfssl/ssl.h>. wolfSSL is one of the libraries the Azure Sphere OS provides; in the
   simulator the TLS client runs on the host side of the OS (sdk/ABI.md, the tls_* imports) on the app's own
   connected TCP socket, so what an app gets is the subset below: client contexts and sessions, CA files from
   the image package, SNI and name checks, non-blocking connect / read / write / shutdown, error codes and
   strings. Link with `wolfssl` as the samples do (target_link_libraries(... wolfssl)). */
#ifndef __SPHERE_WOLFSSL_SSL_H
#define __SPHERE_WOLFSSL_SSL_H

#include <stddef.h>
#include <wolfssl/error-ssl.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct WOLFSSL_METHOD WOLFSSL_METHOD;
typedef struct WOLFSSL_CTX WOLFSSL_CTX;
typedef struct WOLFSSL WOLFSSL;
typedef struct WOLFSSL_X509_STORE_CTX WOLFSSL_X509_STORE_CTX;
typedef int (*VerifyCallback)(int, WOLFSSL_X509_STORE_CTX *);

enum {
    WOLFSSL_ERROR_NONE = 0,
    WOLFSSL_FAILURE = 0,
    WOLFSSL_SUCCESS = 1,
    WOLFSSL_SHUTDOWN_NOT_DONE = 2,
    WOLFSSL_BAD_FILETYPE = -5,
    WOLFSSL_BAD_FILE = -4,
    WOLFSSL_NOT_IMPLEMENTED = -3,
    WOLFSSL_UNKNOWN = -2,
    WOLFSSL_FATAL_ERROR = -1,

    WOLFSSL_FILETYPE_ASN1 = 2,
    WOLFSSL_FILETYPE_PEM = 1,
    WOLFSSL_FILETYPE_DEFAULT = 2,

    WOLFSSL_VERIFY_NONE = 0,
    WOLFSSL_VERIFY_PEER = 1,
    WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT = 2,

    WOLFSSL_ERROR_WANT_READ = 2,
    WOLFSSL_ERROR_WANT_WRITE = 3,
    WOLFSSL_ERROR_WANT_CONNECT = 7,
    WOLFSSL_ERROR_WANT_ACCEPT = 8,
    WOLFSSL_ERROR_SYSCALL = 5,
    WOLFSSL_ERROR_ZERO_RETURN = 6,
    WOLFSSL_ERROR_SSL = 85,

    WOLFSSL_SNI_HOST_NAME = 0
};

#define WOLFSSL_MAX_ERROR_SZ 80
#define SSL_SUCCESS WOLFSSL_SUCCESS
#define SSL_FAILURE WOLFSSL_FAILURE
#define SSL_FATAL_ERROR WOLFSSL_FATAL_ERROR
#define SSL_FILETYPE_PEM WOLFSSL_FILETYPE_PEM
#define SSL_VERIFY_NONE WOLFSSL_VERIFY_NONE
#define SSL_VERIFY_PEER WOLFSSL_VERIFY_PEER
#define SSL_ERROR_WANT_READ WOLFSSL_ERROR_WANT_READ
#define SSL_ERROR_WANT_WRITE WOLFSSL_ERROR_WANT_WRITE
#define SSL_ERROR_ZERO_RETURN WOLFSSL_ERROR_ZERO_RETURN
#define SSL_ERROR_SYSCALL WOLFSSL_ERROR_SYSCALL
#define SSL_ERROR_SSL WOLFSSL_ERROR_SSL

int wolfSSL_Init(void);
int wolfSSL_Cleanup(void);
int wolfSSL_Debugging_ON(void);
void wolfSSL_Debugging_OFF(void);

WOLFSSL_METHOD *wolfSSLv23_client_method(void);
WOLFSSL_METHOD *wolfTLS_client_method(void);
WOLFSSL_METHOD *wolfTLSv1_2_client_method(void);
WOLFSSL_METHOD *wolfTLSv1_3_client_method(void);

WOLFSSL_CTX *wolfSSL_CTX_new(WOLFSSL_METHOD *method);
void wolfSSL_CTX_free(WOLFSSL_CTX *ctx);
int wolfSSL_CTX_load_verify_locations(WOLFSSL_CTX *ctx, const char *file, const char *path);
void wolfSSL_CTX_set_verify(WOLFSSL_CTX *ctx, int mode, VerifyCallback verify);

WOLFSSL *wolfSSL_new(WOLFSSL_CTX *ctx);
void wolfSSL_free(WOLFSSL *ssl);
int wolfSSL_set_fd(WOLFSSL *ssl, int fd);
int wolfSSL_get_fd(const WOLFSSL *ssl);
void wolfSSL_set_using_nonblock(WOLFSSL *ssl, int nonblock);
int wolfSSL_check_domain_name(WOLFSSL *ssl, const char *dn);
int wolfSSL_UseSNI(WOLFSSL *ssl, unsigned char type, const void *data, unsigned short size);

int wolfSSL_connect(WOLFSSL *ssl);
int wolfSSL_read(WOLFSSL *ssl, void *data, int sz);
int wolfSSL_write(WOLFSSL *ssl, const void *data, int sz);
int wolfSSL_shutdown(WOLFSSL *ssl);
int wolfSSL_pending(WOLFSSL *ssl);
int wolfSSL_get_error(WOLFSSL *ssl, int ret);

char *wolfSSL_ERR_error_string(unsigned long errNumber, char *data);
void wolfSSL_ERR_error_string_n(unsigned long e, char *buf, unsigned long sz);
const char *wolfSSL_ERR_reason_error_string(unsigned long e);

#ifdef __cplusplus
}
#endif

#endif
