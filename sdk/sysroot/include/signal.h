/* sphere-sdk sysroot: <signal.h> = wasi-libc's header (with its signal emulation enabled) plus what
   Azure Sphere apps use and wasi-libc lacks: struct sigaction / sigaction(), sigset operations, kill().
   Delivery: the simulated OS sets a pending bit (SIGTERM when the app is stopped) and interrupts any blocking
   call with EINTR; the SDK library then runs the handler on the app's own stack, between calls. */
#ifndef __SPHERE_SIGNAL_H
#define __SPHERE_SIGNAL_H

#ifndef _WASI_EMULATED_SIGNAL
#define _WASI_EMULATED_SIGNAL 1
#endif

#include_next <signal.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SA_NOCLDSTOP 1
#define SA_NOCLDWAIT 2
#define SA_SIGINFO 4
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

union sigval {
    int sival_int;
    void *sival_ptr;
};

typedef struct {
    int si_signo;
    int si_errno;
    int si_code;
    pid_t si_pid;
    uid_t si_uid;
    int si_status;
    union sigval si_value;
} siginfo_t;

struct sigaction {
    union {
        void (*sa_handler)(int);
        void (*sa_sigaction)(int, siginfo_t *, void *);
    } __sa_handler;
    sigset_t sa_mask;
    int sa_flags;
    void (*sa_restorer)(void);
};
#define sa_handler __sa_handler.sa_handler
#define sa_sigaction __sa_handler.sa_sigaction

int sigaction(int signum, const struct sigaction *__restrict act, struct sigaction *__restrict oldact);
int kill(pid_t pid, int sig);
/* sigset_t holds signals 1-31 (sysroot/include/__typedef_sigset_t.h). A blocked signal stays pending until it
   is unblocked or taken by sigtimedwait / sigwaitinfo / sigwait. */
int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int signum);
int sigdelset(sigset_t *set, int signum);
int sigismember(const sigset_t *set, int signum);
int sigprocmask(int how, const sigset_t *__restrict set, sigset_t *__restrict oldset);
int sigpending(sigset_t *set);
struct timespec;
int sigtimedwait(const sigset_t *__restrict set, siginfo_t *__restrict info,
                 const struct timespec *__restrict timeout);
int sigwaitinfo(const sigset_t *__restrict set, siginfo_t *__restrict info);
int sigwait(const sigset_t *__restrict set, int *__restrict sig);
int pthread_sigmask(int how, const sigset_t *__restrict set, sigset_t *__restrict oldset);

#ifdef __cplusplus
}
#endif

#endif
