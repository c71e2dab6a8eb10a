/* sphere-sdk libapplibs: getifaddrs / freeifaddrs over the networking imports (one AF_INET entry per
   interface that has an address, as Linux lists them for IPv4), and the inet_* calls wasi-libc leaves out. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include <applibs/networking.h>

#include "internal.h"

typedef struct {
    struct ifaddrs ifa;
    struct sockaddr_in addr;
    struct sockaddr_in netmask;
    char name[IF_NAMESIZE];
} IfaddrsEntry;

int getifaddrs(struct ifaddrs **ifap)
{
    SPHERE_REQUIRE_PTR(ifap);
    *ifap = NULL;
    ssize_t count = Networking_GetInterfaceCount();
    if (count < 0) {
        return -1;
    }
    if (count == 0) {
        return 0;
    }
    Networking_NetworkInterface *list = calloc((size_t)count, sizeof(*list));
    if (list == NULL) {
        errno = ENOMEM;
        return -1;
    }
    ssize_t got = Networking_GetInterfaces(list, (size_t)count);
    if (got < 0) {
        free(list);
        return -1;
    }
    struct ifaddrs *head = NULL;
    struct ifaddrs **tail = &head;
    for (ssize_t i = 0; i < got; i++) {
        uint32_t out[2] = {0, 0};
        const char *name = list[i].interfaceName;
        int32_t r = __applibs_networking_get_interface_address(name, __sphere_strlen(name), out);
        if (r <= 0) {
            continue;
        }
        IfaddrsEntry *e = calloc(1, sizeof(*e));
        if (e == NULL) {
            freeifaddrs(head);
            free(list);
            errno = ENOMEM;
            return -1;
        }
        strncpy(e->name, name, IF_NAMESIZE - 1);
        e->addr.sin_family = AF_INET;
        e->addr.sin_addr.s_addr = out[0];
        e->netmask.sin_family = AF_INET;
        e->netmask.sin_addr.s_addr = out[1];
        e->ifa.ifa_name = e->name;
        e->ifa.ifa_flags = list[i].isEnabled ? (IFF_UP | IFF_RUNNING) : 0;
        e->ifa.ifa_addr = (struct sockaddr *)&e->addr;
        e->ifa.ifa_netmask = (struct sockaddr *)&e->netmask;
        *tail = &e->ifa;
        tail = &e->ifa.ifa_next;
    }
    free(list);
    *ifap = head;
    return 0;
}

void freeifaddrs(struct ifaddrs *ifa)
{
    while (ifa != NULL) {
        struct ifaddrs *next = ifa->ifa_next;
        free(ifa); /* ifa is the first member of its IfaddrsEntry */
        ifa = next;
    }
}

char *inet_ntoa(struct in_addr in)
{
    static char buffer[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &in, buffer, sizeof(buffer));
    return buffer;
}

int inet_aton(const char *cp, struct in_addr *inp)
{
    struct in_addr a;
    if (cp == NULL || inet_pton(AF_INET, cp, &a) != 1) {
        return 0;
    }
    if (inp != NULL) {
        *inp = a;
    }
    return 1;
}

in_addr_t inet_addr(const char *cp)
{
    struct in_addr a;
    return inet_aton(cp, &a) ? a.s_addr : (in_addr_t)-1;
}

in_addr_t inet_network(const char *cp)
{
    in_addr_t a = inet_addr(cp);
    return a == (in_addr_t)-1 ? a : ntohl(a);
}
