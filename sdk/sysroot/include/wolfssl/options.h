/* sphere-sdk sysroot: <wolfssl/options.h>. wolfSSL is the OS's library here (see <wolfssl/ssl.h>): there are no
   build options to match, so this header only exists for apps that include it first. */
#ifndef __SPHERE_WOLFSSL_OPTIONS_H
#define __SPHERE_WOLFSSL_OPTIONS_H
#endif
