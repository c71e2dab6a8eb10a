/* sphere-sdk libapplibs: getifaddrs / freeifaddrs over the networking imports, listed as Linux lists them: one
   AF_PACKET entry per interface with a hardware address (a struct sockaddr_ll holding the MAC), then one AF_INET
   entry per interface that has an IPv4 address; and the inet_* calls wasi-libc leaves out. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <applibs/networking.h>

#include "internal.h"

#define SPHERE_ARPHRD_ETHER 1

typedef struct {
    struct ifaddrs ifa;
    union {
        struct sockaddr_in in;
        struct sockaddr_ll ll;
    } addr;
    struct sockaddr_in netmask;
    char name[IF_NAMESIZE];
} IfaddrsEntry;

/* Appends an entry for `iface` at *tail; the caller fills its address. NULL: out of memory. */
static IfaddrsEntry *appendEntry(struct ifaddrs ***tail, const Networking_NetworkInterface *iface)
{
    IfaddrsEntry *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        return NULL;
    }
    strncpy(e->name, iface->interfaceName, IF_NAMESIZE - 1);
    e->ifa.ifa_name = e->name;
    e->ifa.ifa_flags = iface->isEnabled ? (IFF_UP | IFF_RUNNING) : 0;
    e->ifa.ifa_addr = (struct sockaddr *)&e->addr;
    **tail = &e->ifa;
    *tail = &e->ifa.ifa_next;
    return e;
}

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
    for (int pass = 0; pass < 2; pass++) {
        for (ssize_t i = 0; i < got; i++) {
            const char *name = list[i].interfaceName;
            uint8_t mac[6];
            uint32_t out[2] = {0, 0};
            if (pass == 0 ? __applibs_networking_get_hardware_address(name, __sphere_strlen(name), mac) != 0
                          : __applibs_networking_get_interface_address(name, __sphere_strlen(name), out) <= 0) {
                continue;
            }
            IfaddrsEntry *e = appendEntry(&tail, &list[i]);
            if (e == NULL) {
                freeifaddrs(head);
                free(list);
                errno = ENOMEM;
                return -1;
            }
            if (pass == 0) {
                e->addr.ll.sll_family = AF_PACKET;
                e->addr.ll.sll_ifindex = (int)i + 1;
                e->addr.ll.sll_hatype = SPHERE_ARPHRD_ETHER;
                e->addr.ll.sll_halen = sizeof(mac);
                memcpy(e->addr.ll.sll_addr, mac, sizeof(mac));
            } else {
                e->addr.in.sin_family = AF_INET;
                e->addr.in.sin_addr.s_addr = out[0];
                e->netmask.sin_family = AF_INET;
                e->netmask.sin_addr.s_addr = out[1];
                e->ifa.ifa_netmask = (struct sockaddr *)&e->netmask;
            }
        }
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
