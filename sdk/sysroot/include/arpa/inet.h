/* sphere-sdk sysroot: <arpa/inet.h> = wasi-libc's plus inet_addr / inet_network / inet_ntoa, which it leaves
   out (libapplibs/ifaddrs.c implements them over inet_pton / inet_ntop). */
#ifndef __SPHERE_ARPA_INET_H
#define __SPHERE_ARPA_INET_H

#include_next <arpa/inet.h>

#ifdef __cplusplus
extern "C" {
#endif

in_addr_t inet_addr(const char *cp);
in_addr_t inet_network(const char *cp);
char *inet_ntoa(struct in_addr in);

#ifdef __cplusplus
}
#endif

#endif
