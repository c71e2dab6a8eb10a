/* sphere-sdk sysroot: <net/if.h> basics (wasi-libc has no such header). */
#ifndef _NET_IF_H
#define _NET_IF_H

#ifdef __cplusplus
extern "C" {
#endif

#define IF_NAMESIZE 16
#define IFNAMSIZ IF_NAMESIZE

/* interface flags (Linux values), as getifaddrs() reports them in ifa_flags */
#define IFF_UP 0x1
#define IFF_BROADCAST 0x2
#define IFF_LOOPBACK 0x8
#define IFF_POINTOPOINT 0x10
#define IFF_RUNNING 0x40
#define IFF_MULTICAST 0x1000

struct if_nameindex {
    unsigned int if_index;
    char *if_name;
};

#ifdef __cplusplus
}
#endif

#endif
