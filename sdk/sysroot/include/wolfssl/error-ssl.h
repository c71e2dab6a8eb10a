/* sphere-sdk sysroot: <wolfssl/error-ssl.h>, the wolfSSL error codes the OS's TLS library reports (the values
   wolfSSL uses, so an app's comparisons hold). */
#ifndef __SPHERE_WOLFSSL_ERROR_SSL_H
#define __SPHERE_WOLFSSL_ERROR_SSL_H

enum {
    ASN_AFTER_DATE_E = -151,
    ASN_NO_SIGNER_E = -188,
    MEMORY_ERROR = -303,
    SOCKET_ERROR_E = -308,
    FATAL_ERROR = -313,
    DOMAIN_NAME_MISMATCH = -322,
    WANT_READ = -323,
    VERSION_ERROR = -326,
    WANT_WRITE = -327,
    BUFFER_ERROR = -328,
    VERIFY_CERT_ERROR = -329,
    ZERO_RETURN = -343,
    SIDE_ERROR = -344,
    SSL_NO_PEM_HEADER = -372,
    SOCKET_PEER_CLOSED_E = -397,
    BAD_FUNC_ARG = -173
};

#endif
