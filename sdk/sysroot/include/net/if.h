/* sphere-sdk sysroot: <net/if.h> basics (wasi-libc has no such header). */
#ifndef _NET_IF_H
#define _NET_IF_H

#ifdef __cplusplus
extern "C" {
#endif

#define IF_NAMESIZE 16
#define IFNAMSIZ IF_NAMESIZE

struct if_nameindex {
    unsigned int if_index;
    char *if_name;
};

#ifdef __cplusplus
}
#endif

#endif
