/* sphere-sdk libapplibs: <netdb.h> and <resolv.h>. Name lookups (getaddrinfo, gethostbyname) are one OS call,
   sphere.resolve, which the OS's LSM rules on (AllowedConnections); DNS messages (res_query, res_send) go to
   the device's resolver at 127.0.0.1:53 over an ordinary UDP socket of the app, as on Azure Sphere. The DNS
   message helpers (res_mkquery, dn_expand, ns_initparse, ns_parserr ...) are plain computation in the app. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

#define MAX_ADDRS 16

struct __res_state _res;
static int hErrno;

int *__h_errno_location(void)
{
    return &hErrno;
}

/* ---- byte helpers ---- */

unsigned ns_get16(const unsigned char *p)
{
    return ((unsigned)p[0] << 8) | p[1];
}

unsigned long ns_get32(const unsigned char *p)
{
    return ((unsigned long)p[0] << 24) | ((unsigned long)p[1] << 16) | ((unsigned long)p[2] << 8) | p[3];
}

void ns_put16(unsigned v, unsigned char *p)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

void ns_put32(unsigned long v, unsigned char *p)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* ---- names ---- */

/* Expand the (possibly compressed) name at src into dotted text; returns the bytes the name takes at src. */
int dn_expand(const unsigned char *msg, const unsigned char *eom, const unsigned char *src, char *dst, int dstsiz)
{
    const unsigned char *p = src;
    int used = -1; /* bytes at src, fixed at the first pointer */
    int out = 0;
    int hops = 0;
    if (src < msg || src >= eom || dstsiz <= 0) {
        errno = EMSGSIZE;
        return -1;
    }
    for (;;) {
        if (p >= eom) {
            errno = EMSGSIZE;
            return -1;
        }
        unsigned len = *p;
        if ((len & 0xc0) == 0xc0) {
            if (p + 1 >= eom || ++hops > 64) {
                errno = EMSGSIZE;
                return -1;
            }
            if (used < 0) {
                used = (int)(p + 2 - src);
            }
            p = msg + (((len & 0x3f) << 8) | p[1]);
            continue;
        }
        if (len & 0xc0) {
            errno = EMSGSIZE;
            return -1;
        }
        if (len == 0) {
            if (used < 0) {
                used = (int)(p + 1 - src);
            }
            break;
        }
        if (p + 1 + len > eom || out + (out ? 1 : 0) + (int)len >= dstsiz) {
            errno = EMSGSIZE;
            return -1;
        }
        if (out) {
            dst[out++] = '.';
        }
        memcpy(dst + out, p + 1, len);
        out += (int)len;
        p += 1 + len;
    }
    if (out == 0) {
        if (dstsiz < 2) {
            errno = EMSGSIZE;
            return -1;
        }
        dst[out++] = '.';
    }
    dst[out] = '\0';
    return used;
}

int ns_name_uncompress(const unsigned char *msg, const unsigned char *eom, const unsigned char *src, char *dst,
                       size_t dstsiz)
{
    return dn_expand(msg, eom, src, dst, (int)dstsiz);
}

int dn_skipname(const unsigned char *src, const unsigned char *eom)
{
    const unsigned char *p = src;
    while (p < eom) {
        unsigned len = *p;
        if ((len & 0xc0) == 0xc0) {
            return p + 2 <= eom ? (int)(p + 2 - src) : -1;
        }
        if (len & 0xc0) {
            return -1;
        }
        if (len == 0) {
            return (int)(p + 1 - src);
        }
        p += 1 + len;
    }
    return -1;
}

/* Encode a dotted name without compression (dnptrs are accepted and not used). */
int dn_comp(const char *src, unsigned char *dst, int dstsiz, unsigned char **dnptrs, unsigned char **lastdnptr)
{
    (void)dnptrs;
    (void)lastdnptr;
    size_t n = strlen(src);
    if (n > 0 && src[n - 1] == '.') {
        n--;
    }
    if (n > NS_MAXCDNAME - 2) {
        errno = EMSGSIZE;
        return -1;
    }
    int out = 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && src[j] != '.') {
            j++;
        }
        size_t len = j - i;
        if (len == 0 || len > NS_MAXLABEL || out + 1 + (int)len >= dstsiz) {
            errno = EMSGSIZE;
            return -1;
        }
        dst[out++] = (unsigned char)len;
        memcpy(dst + out, src + i, len);
        out += (int)len;
        i = j + 1;
    }
    if (out >= dstsiz) {
        errno = EMSGSIZE;
        return -1;
    }
    dst[out++] = 0;
    return out;
}

/* ---- messages ---- */

int ns_skiprr(const unsigned char *ptr, const unsigned char *eom, ns_sect section, int count)
{
    const unsigned char *p = ptr;
    for (int i = 0; i < count; i++) {
        int n = dn_skipname(p, eom);
        if (n < 0) {
            errno = EMSGSIZE;
            return -1;
        }
        p += n;
        if (section == ns_s_qd) {
            p += NS_QFIXEDSZ;
        } else {
            if (p + NS_RRFIXEDSZ > eom) {
                errno = EMSGSIZE;
                return -1;
            }
            p += NS_RRFIXEDSZ + ns_get16(p + 8);
        }
        if (p > eom) {
            errno = EMSGSIZE;
            return -1;
        }
    }
    return (int)(p - ptr);
}

int ns_initparse(const unsigned char *msg, int msglen, ns_msg *handle)
{
    const unsigned char *eom = msg + msglen;
    if (msglen < NS_HFIXEDSZ) {
        errno = EMSGSIZE;
        return -1;
    }
    memset(handle, 0, sizeof(*handle));
    handle->_msg = msg;
    handle->_eom = eom;
    handle->_id = (uint16_t)ns_get16(msg);
    handle->_flags = (uint16_t)ns_get16(msg + 2);
    const unsigned char *p = msg + NS_HFIXEDSZ;
    for (int s = 0; s < ns_s_max; s++) {
        handle->_counts[s] = (uint16_t)ns_get16(msg + 4 + 2 * s);
    }
    for (int s = 0; s < ns_s_max; s++) {
        if (handle->_counts[s] == 0) {
            handle->_sections[s] = NULL;
            continue;
        }
        handle->_sections[s] = p;
        int n = ns_skiprr(p, eom, (ns_sect)s, handle->_counts[s]);
        if (n < 0) {
            return -1;
        }
        p += n;
    }
    if (p != eom) {
        errno = EMSGSIZE;
        return -1;
    }
    handle->_sect = ns_s_max;
    handle->_rrnum = -1;
    handle->_msg_ptr = NULL;
    return 0;
}

int ns_parserr(ns_msg *handle, ns_sect section, int rrnum, ns_rr *rr)
{
    if ((int)section < 0 || section >= ns_s_max || rrnum < 0 || rrnum >= handle->_counts[section]) {
        errno = ENODEV;
        return -1;
    }
    const unsigned char *p = handle->_sections[section];
    int n = ns_skiprr(p, handle->_eom, section, rrnum);
    if (n < 0) {
        return -1;
    }
    p += n;
    int len = dn_expand(handle->_msg, handle->_eom, p, rr->name, NS_MAXDNAME);
    if (len < 0) {
        return -1;
    }
    p += len;
    if (p + (section == ns_s_qd ? NS_QFIXEDSZ : NS_RRFIXEDSZ) > handle->_eom) {
        errno = EMSGSIZE;
        return -1;
    }
    rr->type = (uint16_t)ns_get16(p);
    rr->rr_class = (uint16_t)ns_get16(p + 2);
    if (section == ns_s_qd) {
        rr->ttl = 0;
        rr->rdlength = 0;
        rr->rdata = NULL;
    } else {
        rr->ttl = (uint32_t)ns_get32(p + 4);
        rr->rdlength = (uint16_t)ns_get16(p + 8);
        rr->rdata = p + NS_RRFIXEDSZ;
        if (rr->rdata + rr->rdlength > handle->_eom) {
            errno = EMSGSIZE;
            return -1;
        }
    }
    handle->_sect = section;
    handle->_rrnum = rrnum + 1;
    handle->_msg_ptr = p;
    return 0;
}

int res_init(void)
{
    _res.retrans = RES_TIMEOUT;
    _res.retry = RES_DFLRETRY;
    _res.options = RES_INIT | RES_DEFAULT;
    _res.nscount = 1;
    memset(&_res.nsaddr_list[0], 0, sizeof(_res.nsaddr_list[0]));
    _res.nsaddr_list[0].sin_family = AF_INET;
    _res.nsaddr_list[0].sin_port = htons(NS_DEFAULTPORT);
    _res.nsaddr_list[0].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    _res.ndots = 1;
    return 0;
}

static unsigned short nextId;

int res_mkquery(int op, const char *dname, int cls, int type, const unsigned char *data, int datalen,
                const unsigned char *newrr, unsigned char *buf, int buflen)
{
    (void)data;
    (void)datalen;
    (void)newrr;
    if (op != ns_o_query || dname == NULL || buflen < NS_HFIXEDSZ) {
        errno = EINVAL;
        return -1;
    }
    memset(buf, 0, NS_HFIXEDSZ);
    if (nextId == 0) {
        nextId = (unsigned short)(getpid() * 7919u + 1u);
    }
    ns_put16(nextId++, buf);
    buf[2] = 0x01; /* RD */
    ns_put16(1, buf + 4);
    int n = dn_comp(dname, buf + NS_HFIXEDSZ, buflen - NS_HFIXEDSZ - NS_QFIXEDSZ, NULL, NULL);
    if (n < 0) {
        return -1;
    }
    unsigned char *q = buf + NS_HFIXEDSZ + n;
    ns_put16((unsigned)type, q);
    ns_put16((unsigned)cls, q + 2);
    return NS_HFIXEDSZ + n + NS_QFIXEDSZ;
}

int res_send(const unsigned char *msg, int msglen, unsigned char *answer, int anslen)
{
    if (!(_res.options & RES_INIT)) {
        res_init();
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        return -1;
    }
    int result = -1;
    for (int attempt = 0; attempt <= _res.retry && result < 0; attempt++) {
        if (sendto(fd, msg, (size_t)msglen, 0, (const struct sockaddr *)&_res.nsaddr_list[0],
                   sizeof(_res.nsaddr_list[0])) < 0) {
            break;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, _res.retrans * 1000);
        if (r < 0) {
            break;
        }
        if (r == 0) {
            errno = ETIMEDOUT;
            continue;
        }
        ssize_t n = recv(fd, answer, (size_t)anslen, 0);
        if (n >= NS_HFIXEDSZ && ns_get16(answer) == ns_get16(msg)) {
            result = (int)n;
        }
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

int res_query(const char *dname, int cls, int type, unsigned char *answer, int anslen)
{
    unsigned char q[NS_PACKETSZ];
    int n = res_mkquery(ns_o_query, dname, cls, type, NULL, 0, NULL, q, sizeof(q));
    if (n < 0) {
        hErrno = NO_RECOVERY;
        return -1;
    }
    int r = res_send(q, n, answer, anslen);
    if (r < 0) {
        hErrno = TRY_AGAIN;
        return -1;
    }
    switch (answer[3] & 0x0f) {
    case 0:
        if (ns_get16(answer + 6) == 0) {
            hErrno = NO_DATA;
            return -1;
        }
        return r;
    case 3:
        hErrno = HOST_NOT_FOUND;
        return -1;
    case 2:
        hErrno = TRY_AGAIN;
        return -1;
    default:
        hErrno = NO_RECOVERY;
        return -1;
    }
}

int res_search(const char *dname, int cls, int type, unsigned char *answer, int anslen)
{
    return res_query(dname, cls, type, answer, anslen);
}

int res_querydomain(const char *name, const char *domain, int cls, int type, unsigned char *answer, int anslen)
{
    char full[NS_MAXDNAME];
    if (domain == NULL) {
        return res_query(name, cls, type, answer, anslen);
    }
    if (snprintf(full, sizeof(full), "%s.%s", name, domain) >= (int)sizeof(full)) {
        errno = EMSGSIZE;
        return -1;
    }
    return res_query(full, cls, type, answer, anslen);
}

/* ---- lookups ---- */

/* Addresses of `name` (network order) from the OS, or a negative EAI_* code. */
static int Lookup(const char *name, uint32_t *addrs, int max)
{
    struct in_addr literal;
    if (inet_pton(AF_INET, name, &literal) == 1) {
        addrs[0] = literal.s_addr;
        return 1;
    }
    int32_t n = __sphere_resolve(name, (uint32_t)strlen(name), addrs, (uint32_t)max);
    if (n > 0) {
        return n;
    }
    switch (-n) {
    case 0:
    case ENOENT:
        return EAI_NONAME;
    case EAGAIN:
    case ETIMEDOUT:
        return EAI_AGAIN;
    case EACCES:
    case EPERM:
        return EAI_FAIL;
    case ENOMEM:
        return EAI_MEMORY;
    default:
        errno = -n;
        return EAI_SYSTEM;
    }
}

static int ParsePort(const char *service, int flags, int *port)
{
    if (service == NULL) {
        *port = 0;
        return 0;
    }
    char *end = NULL;
    long v = strtol(service, &end, 10);
    if (end != service && *end == '\0' && v >= 0 && v <= 65535) {
        *port = (int)v;
        return 0;
    }
    if (flags & AI_NUMERICSERV) {
        return EAI_NONAME;
    }
    struct servent *s = getservbyname(service, NULL);
    if (s == NULL) {
        return EAI_SERVICE;
    }
    *port = ntohs((uint16_t)s->s_port);
    return 0;
}

struct AddrInfoBlock {
    struct addrinfo info;
    struct sockaddr_in addr;
};

int getaddrinfo(const char *restrict node, const char *restrict service, const struct addrinfo *restrict hints,
                struct addrinfo **restrict res)
{
    int flags = hints ? hints->ai_flags : 0;
    int family = hints ? hints->ai_family : AF_UNSPEC;
    int socktype = hints ? hints->ai_socktype : 0;
    int protocol = hints ? hints->ai_protocol : 0;
    if (res == NULL || (node == NULL && service == NULL)) {
        return EAI_NONAME;
    }
    if (family != AF_UNSPEC && family != AF_INET) {
        return EAI_FAMILY;
    }
    if (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM) {
        return EAI_SOCKTYPE;
    }
    int port = 0;
    int e = ParsePort(service, flags, &port);
    if (e) {
        return e;
    }
    uint32_t addrs[MAX_ADDRS];
    int count;
    if (node == NULL) {
        addrs[0] = htonl((flags & AI_PASSIVE) ? INADDR_ANY : INADDR_LOOPBACK);
        count = 1;
    } else if (flags & AI_NUMERICHOST) {
        struct in_addr a;
        if (inet_pton(AF_INET, node, &a) != 1) {
            return EAI_NONAME;
        }
        addrs[0] = a.s_addr;
        count = 1;
    } else {
        count = Lookup(node, addrs, MAX_ADDRS);
        if (count < 0) {
            return count;
        }
    }
    static const int types[2] = {SOCK_STREAM, SOCK_DGRAM};
    struct addrinfo *head = NULL;
    struct addrinfo **tail = &head;
    for (int i = 0; i < count; i++) {
        for (int t = 0; t < 2; t++) {
            if (socktype != 0 && socktype != types[t]) {
                continue;
            }
            struct AddrInfoBlock *b = calloc(1, sizeof(*b));
            if (b == NULL) {
                freeaddrinfo(head);
                return EAI_MEMORY;
            }
            b->addr.sin_family = AF_INET;
            b->addr.sin_port = htons((uint16_t)port);
            b->addr.sin_addr.s_addr = addrs[i];
            b->info.ai_family = AF_INET;
            b->info.ai_socktype = types[t];
            b->info.ai_protocol = protocol ? protocol : (types[t] == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP);
            b->info.ai_addrlen = sizeof(b->addr);
            b->info.ai_addr = (struct sockaddr *)&b->addr;
            if (head == NULL && (flags & AI_CANONNAME) && node != NULL) {
                b->info.ai_canonname = strdup(node);
            }
            *tail = &b->info;
            tail = &b->info.ai_next;
        }
    }
    *res = head;
    return 0;
}

void freeaddrinfo(struct addrinfo *res)
{
    while (res != NULL) {
        struct addrinfo *next = res->ai_next;
        free(res->ai_canonname);
        free(res); /* the block starts with the addrinfo */
        res = next;
    }
}

const char *gai_strerror(int ecode)
{
    switch (ecode) {
    case 0:
        return "Success";
    case EAI_BADFLAGS:
        return "Invalid flags";
    case EAI_NONAME:
        return "Name does not resolve";
    case EAI_AGAIN:
        return "Temporary failure in name resolution";
    case EAI_FAIL:
        return "Non-recoverable failure in name resolution";
    case EAI_NODATA:
        return "No address associated with hostname";
    case EAI_FAMILY:
        return "Unrecognized address family or invalid length";
    case EAI_SOCKTYPE:
        return "Unrecognized socket type";
    case EAI_SERVICE:
        return "Unrecognized service";
    case EAI_MEMORY:
        return "Out of memory";
    case EAI_SYSTEM:
        return "System error";
    case EAI_OVERFLOW:
        return "Overflow";
    default:
        return "Unknown error";
    }
}

int getnameinfo(const struct sockaddr *restrict sa, socklen_t salen, char *restrict host, socklen_t hostlen,
                char *restrict serv, socklen_t servlen, int flags)
{
    if (sa == NULL || sa->sa_family != AF_INET || salen < sizeof(struct sockaddr_in)) {
        return EAI_FAMILY;
    }
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    if (host != NULL && hostlen > 0) {
        if (flags & NI_NAMEREQD) {
            return EAI_NONAME; /* the OS keeps no reverse map */
        }
        if (inet_ntop(AF_INET, &in->sin_addr, host, hostlen) == NULL) {
            return EAI_OVERFLOW;
        }
    }
    if (serv != NULL && servlen > 0) {
        if (snprintf(serv, servlen, "%u", ntohs(in->sin_port)) >= (int)servlen) {
            return EAI_OVERFLOW;
        }
    }
    return 0;
}

static struct {
    struct hostent h;
    char name[NS_MAXDNAME];
    char *aliases[1];
    char *list[MAX_ADDRS + 1];
    uint32_t addrs[MAX_ADDRS];
} hostBuf;

struct hostent *gethostbyname(const char *name)
{
    if (name == NULL) {
        hErrno = HOST_NOT_FOUND;
        return NULL;
    }
    int n = Lookup(name, hostBuf.addrs, MAX_ADDRS);
    if (n < 0) {
        hErrno = n == EAI_AGAIN ? TRY_AGAIN : n == EAI_NONAME ? HOST_NOT_FOUND : NO_RECOVERY;
        return NULL;
    }
    snprintf(hostBuf.name, sizeof(hostBuf.name), "%s", name);
    hostBuf.aliases[0] = NULL;
    for (int i = 0; i < n; i++) {
        hostBuf.list[i] = (char *)&hostBuf.addrs[i];
    }
    hostBuf.list[n] = NULL;
    hostBuf.h.h_name = hostBuf.name;
    hostBuf.h.h_aliases = hostBuf.aliases;
    hostBuf.h.h_addrtype = AF_INET;
    hostBuf.h.h_length = 4;
    hostBuf.h.h_addr_list = hostBuf.list;
    return &hostBuf.h;
}

static const struct {
    const char *name;
    int port;
    const char *proto;
} services[] = {
    {"http", 80, "tcp"},   {"https", 443, "tcp"}, {"domain", 53, "udp"},  {"ntp", 123, "udp"},
    {"mqtt", 1883, "tcp"}, {"secure-mqtt", 8883, "tcp"}, {"iperf3", 5201, "tcp"},
};

struct servent *getservbyname(const char *name, const char *proto)
{
    static struct servent s;
    static char *noAliases[1];
    for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
        if (strcmp(services[i].name, name) == 0 && (proto == NULL || strcmp(proto, services[i].proto) == 0)) {
            s.s_name = (char *)services[i].name;
            s.s_aliases = noAliases;
            s.s_port = htons((uint16_t)services[i].port);
            s.s_proto = (char *)services[i].proto;
            return &s;
        }
    }
    return NULL;
}

struct protoent *getprotobyname(const char *name)
{
    static struct protoent p;
    static char *noAliases[1];
    int proto = strcmp(name, "tcp") == 0 ? IPPROTO_TCP : strcmp(name, "udp") == 0 ? IPPROTO_UDP : -1;
    if (proto < 0) {
        return NULL;
    }
    p.p_name = (char *)name;
    p.p_aliases = noAliases;
    p.p_proto = proto;
    return &p;
}

const char *hstrerror(int ecode)
{
    switch (ecode) {
    case HOST_NOT_FOUND:
        return "Unknown host";
    case TRY_AGAIN:
        return "Host name lookup failure";
    case NO_RECOVERY:
        return "Unknown server error";
    case NO_DATA:
        return "No address associated with name";
    default:
        return "Resolver internal error";
    }
}

void herror(const char *s)
{
    fprintf(stderr, "%s%s%s\n", s && *s ? s : "", s && *s ? ": " : "", hstrerror(hErrno));
}
