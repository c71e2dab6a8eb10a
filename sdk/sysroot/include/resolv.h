/* sphere-sdk sysroot: <resolv.h>, the resolver of the simulated OS. Queries go to the device's resolver at
   127.0.0.1:53 as on Azure Sphere (which answers DNS-SD queries from the world file's `dnsSd` records and
   names from its hosts map; docs/world.md); the message helpers (res_mkquery, dn_expand, ns_initparse,
   ns_parserr ...) run in the app (sdk/libapplibs/resolv.c). Which names an app may query is the manifest's
   AllowedConnections, ruled on by the OS. */
#ifndef __SPHERE_RESOLV_H
#define __SPHERE_RESOLV_H

#include <stdint.h>
#include <arpa/nameser.h>
#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MAXNS 3
#define MAXDFLSRCH 3
#define MAXDNSRCH 6
#define LOCALDOMAINPARTS 2
#define RES_TIMEOUT 5
#define MAXRESOLVSORT 10
#define RES_MAXNDOTS 15
#define RES_MAXRETRANS 30
#define RES_MAXRETRY 5
#define RES_DFLRETRY 2
#define RES_MAXTIME 65535

#define RES_INIT 0x00000001
#define RES_DEBUG 0x00000002
#define RES_USEVC 0x00000008
#define RES_RECURSE 0x00000040
#define RES_DEFNAMES 0x00000080
#define RES_DNSRCH 0x00000200
#define RES_DEFAULT (RES_RECURSE | RES_DEFNAMES | RES_DNSRCH)

typedef struct __res_state {
    int retrans;
    int retry;
    unsigned long options;
    int nscount;
    struct sockaddr_in nsaddr_list[MAXNS];
    unsigned short id;
    char *dnsrch[MAXDNSRCH + 1];
    char defdname[256];
    unsigned long pfcode;
    unsigned ndots : 4;
    unsigned nsort : 4;
    unsigned ipv6_unavail : 1;
    unsigned unused : 23;
} *res_state;

extern struct __res_state _res;

int res_init(void);
int res_query(const char *dname, int cls, int type, unsigned char *answer, int anslen);
int res_search(const char *dname, int cls, int type, unsigned char *answer, int anslen);
int res_querydomain(const char *name, const char *domain, int cls, int type, unsigned char *answer, int anslen);
int res_mkquery(int op, const char *dname, int cls, int type, const unsigned char *data, int datalen,
                const unsigned char *newrr, unsigned char *buf, int buflen);
int res_send(const unsigned char *msg, int msglen, unsigned char *answer, int anslen);
int dn_comp(const char *src, unsigned char *dst, int dstsiz, unsigned char **dnptrs, unsigned char **lastdnptr);
int dn_expand(const unsigned char *msg, const unsigned char *eom, const unsigned char *src, char *dst, int dstsiz);
int dn_skipname(const unsigned char *src, const unsigned char *eom);

#ifdef __cplusplus
}
#endif

#endif
