/* sphere-sdk libapplibs: BSD sockets over the kernel's socket calls (module "sphere"). wasi-libc numbers
   families, types, levels and flags its own way; the OS speaks Linux numbers, so they are translated here,
   including the family field of every sockaddr passed in or out. send/recv/accept/shutdown replace
   wasi-libc's WASI-socket versions. */
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

#define LINUX_AF_UNIX 1
#define LINUX_AF_INET 2
#define LINUX_AF_INET6 10
#define LINUX_SOCK_STREAM 1
#define LINUX_SOCK_DGRAM 2
#define LINUX_SOCK_NONBLOCK 0x800
#define LINUX_SOL_SOCKET 1
#define LINUX_MSG_PEEK 0x2
#define LINUX_MSG_WAITALL 0x100
#define MAX_ADDR 128

static int FamilyToLinux(int family)
{
    switch (family) {
    case AF_UNSPEC:
        return 0;
    case AF_INET:
        return LINUX_AF_INET;
    case AF_INET6:
        return LINUX_AF_INET6;
    case AF_UNIX:
        return LINUX_AF_UNIX;
    default:
        return -1;
    }
}

static int FamilyFromLinux(int family)
{
    switch (family) {
    case LINUX_AF_INET:
        return AF_INET;
    case LINUX_AF_INET6:
        return AF_INET6;
    case LINUX_AF_UNIX:
        return AF_UNIX;
    default:
        return AF_UNSPEC;
    }
}

static int FlagsToLinux(int flags)
{
    int out = flags & ~(MSG_PEEK | MSG_WAITALL);
    if (flags & MSG_PEEK) {
        out |= LINUX_MSG_PEEK;
    }
    if (flags & MSG_WAITALL) {
        out |= LINUX_MSG_WAITALL;
    }
    return out;
}

/* Copies addr into buf with its family translated. Returns 0, or -1 with errno set. */
static int AddrToLinux(const struct sockaddr *addr, socklen_t addrlen, unsigned char *buf)
{
    if (addr == NULL) {
        errno = EFAULT;
        return -1;
    }
    if (addrlen < sizeof(sa_family_t) || addrlen > MAX_ADDR) {
        errno = EINVAL;
        return -1;
    }
    memcpy(buf, addr, addrlen);
    int family = FamilyToLinux(addr->sa_family);
    if (family < 0) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    sa_family_t linuxFamily = (sa_family_t)family;
    memcpy(buf, &linuxFamily, sizeof(linuxFamily));
    return 0;
}

static void AddrFromLinux(struct sockaddr *addr, socklen_t *addrlen)
{
    if (addr != NULL && addrlen != NULL && *addrlen >= sizeof(sa_family_t)) {
        addr->sa_family = (sa_family_t)FamilyFromLinux(addr->sa_family);
    }
}

int socket(int domain, int type, int protocol)
{
    int family = FamilyToLinux(domain);
    if (family <= 0) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    int baseType = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    int linuxType;
    if (baseType == SOCK_STREAM) {
        linuxType = LINUX_SOCK_STREAM;
    } else if (baseType == SOCK_DGRAM) {
        linuxType = LINUX_SOCK_DGRAM;
    } else {
        errno = EPROTONOSUPPORT;
        return -1;
    }
    if (type & SOCK_NONBLOCK) {
        linuxType |= LINUX_SOCK_NONBLOCK;
    }
    return __sphere_ret(__sphere_socket(family, linuxType, protocol));
}

int connect(int fd, const struct sockaddr *addr, socklen_t addrlen)
{
    unsigned char buf[MAX_ADDR];
    if (AddrToLinux(addr, addrlen, buf) != 0) {
        return -1;
    }
    return __sphere_ret_blocking(__sphere_connect(fd, buf, addrlen));
}

int bind(int fd, const struct sockaddr *addr, socklen_t addrlen)
{
    unsigned char buf[MAX_ADDR];
    if (AddrToLinux(addr, addrlen, buf) != 0) {
        return -1;
    }
    return __sphere_ret(__sphere_bind(fd, buf, addrlen));
}

int listen(int fd, int backlog)
{
    return __sphere_ret(__sphere_listen(fd, backlog));
}

int accept4(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict addrlen, int flags)
{
    int linuxFlags = (flags & SOCK_NONBLOCK) ? LINUX_SOCK_NONBLOCK : 0;
    int r = __sphere_ret_blocking(__sphere_accept(fd, addr, addr != NULL ? addrlen : NULL, linuxFlags));
    if (r >= 0) {
        AddrFromLinux(addr, addrlen);
    }
    return r;
}

int accept(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict addrlen)
{
    return accept4(fd, addr, addrlen, 0);
}

int shutdown(int fd, int how)
{
    /* wasi-libc: SHUT_RD 1, SHUT_WR 2, SHUT_RDWR 3; Linux: 0, 1, 2. */
    int linuxHow = how == SHUT_RD ? 0 : how == SHUT_WR ? 1 : how == SHUT_RDWR ? 2 : -1;
    if (linuxHow < 0) {
        errno = EINVAL;
        return -1;
    }
    return __sphere_ret(__sphere_shutdown(fd, linuxHow));
}

int getsockname(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict addrlen)
{
    if (addr == NULL || addrlen == NULL) {
        errno = EFAULT;
        return -1;
    }
    int r = __sphere_ret(__sphere_getsockname(fd, addr, addrlen));
    if (r >= 0) {
        AddrFromLinux(addr, addrlen);
    }
    return r;
}

int getpeername(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict addrlen)
{
    if (addr == NULL || addrlen == NULL) {
        errno = EFAULT;
        return -1;
    }
    int r = __sphere_ret(__sphere_getpeername(fd, addr, addrlen));
    if (r >= 0) {
        AddrFromLinux(addr, addrlen);
    }
    return r;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr, socklen_t addrlen)
{
    if (buf == NULL && len != 0) {
        errno = EFAULT;
        return -1;
    }
    if (addr == NULL) {
        return __sphere_ret_blocking(__sphere_sendto(fd, buf, len, FlagsToLinux(flags), NULL, 0));
    }
    unsigned char abuf[MAX_ADDR];
    if (AddrToLinux(addr, addrlen, abuf) != 0) {
        return -1;
    }
    return __sphere_ret_blocking(__sphere_sendto(fd, buf, len, FlagsToLinux(flags), abuf, addrlen));
}

ssize_t recvfrom(int fd, void *__restrict buf, size_t len, int flags, struct sockaddr *__restrict addr,
                 socklen_t *__restrict addrlen)
{
    if (buf == NULL && len != 0) {
        errno = EFAULT;
        return -1;
    }
    int r = __sphere_ret_blocking(
        __sphere_recvfrom(fd, buf, len, FlagsToLinux(flags), addr, addr != NULL ? addrlen : NULL));
    if (r >= 0) {
        AddrFromLinux(addr, addrlen);
    }
    return r;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    return sendto(fd, buf, len, flags, NULL, 0);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    return recvfrom(fd, buf, len, flags, NULL, NULL);
}

int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen)
{
    int linuxLevel = level == SOL_SOCKET ? LINUX_SOL_SOCKET : level;
    return __sphere_ret(__sphere_setsockopt(fd, linuxLevel, optname, optval, optlen));
}

int getsockopt(int fd, int level, int optname, void *__restrict optval, socklen_t *__restrict optlen)
{
    if (optval == NULL || optlen == NULL) {
        errno = EFAULT;
        return -1;
    }
    int linuxLevel = level == SOL_SOCKET ? LINUX_SOL_SOCKET : level;
    return __sphere_ret(__sphere_getsockopt(fd, linuxLevel, optname, optval, optlen));
}
