/* sphere-sdk sysroot: <sys/socket.h> = wasi-libc's header plus the BSD socket calls it lacks (socket, bind,
   connect, listen, sendto, recvfrom, setsockopt, getsockname, getpeername). They are kernel calls of the
   simulated OS (module "sphere"); the SDK library translates wasi-libc's constant values (AF_INET 1,
   SOCK_STREAM 6, SOL_SOCKET 0x7fffffff, ...) to the Linux values the OS expects. The manifest's
   AllowedConnections / AllowedTcpServerPorts / AllowedUdpServerPorts are enforced by the OS. */
#ifndef __SPHERE_SYS_SOCKET_H
#define __SPHERE_SYS_SOCKET_H

#include_next <sys/socket.h>

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
