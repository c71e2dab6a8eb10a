/* sphere-sdk sysroot: <sys/socket.h> = wasi-libc's header plus the BSD socket calls it lacks (socket, bind,
   connect, listen, sendto, recvfrom, setsockopt, getsockname, getpeername). They are kernel calls of the
   simulated OS (module "sphere"); the SDK library translates wasi-libc's constant values (AF_INET 1,
   SOCK_STREAM 6, SOL_SOCKET 0x7fffffff, ...) to the Linux values the OS expects. The manifest's
   AllowedConnections / AllowedTcpServerPorts / AllowedUdpServerPorts are enforced by the OS. */
#ifndef __SPHERE_SYS_SOCKET_H
#define __SPHERE_SYS_SOCKET_H

#include_next <sys/socket.h>

/* Option and flag names wasi-libc leaves out (its upstream definitions are disabled), with the Linux values
   the OS's setsockopt / getsockopt / send / recv take (sdk/ABI.md). SO_TYPE (3) comes from wasi-libc. */
#ifndef SO_REUSEADDR
#define SO_DEBUG 1
#define SO_REUSEADDR 2
#define SO_ERROR 4
#define SO_DONTROUTE 5
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_LINGER 13
#define SO_REUSEPORT 15
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_ACCEPTCONN 30
#endif
/* Link-layer addresses (getifaddrs lists one struct sockaddr_ll per interface, as Linux does). Linux's value;
   wasi-libc's own address families are 0-3. */
#ifndef AF_PACKET
#define PF_PACKET 17
#define AF_PACKET PF_PACKET
#endif
#ifndef SO_MAX_PACING_RATE
#define SO_MAX_PACING_RATE 47
#endif
#ifndef MSG_DONTWAIT
#define MSG_DONTWAIT 0x40
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0x4000
#endif

#ifdef __cplusplus
extern "C" {
#endif

int socket(int domain, int type, int protocol);
int bind(int fd, const struct sockaddr *addr, socklen_t addrlen);
int connect(int fd, const struct sockaddr *addr, socklen_t addrlen);
int listen(int fd, int backlog);
int getsockname(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict addrlen);
int getpeername(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict addrlen);
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr, socklen_t addrlen);
ssize_t recvfrom(int fd, void *__restrict buf, size_t len, int flags, struct sockaddr *__restrict addr,
                 socklen_t *__restrict addrlen);
int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen);

#ifdef __cplusplus
}
#endif

#endif
