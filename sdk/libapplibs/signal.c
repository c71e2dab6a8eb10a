/* sphere-sdk libapplibs: signals. On the first sigaction()/signal() that installs a handler, the library
   registers a pending-signal bitmask with the kernel (sphere.sig_register). The kernel ORs 1 << signo into it
   and interrupts any blocking call with EINTR; the library runs the handler right after that call returns
   (see __sphere_after_blocking_call), on the app's own stack. A signal left at SIG_DFL terminates the app
   (sphere.kill on itself); SIG_IGN drops it. */
#include <stdbool.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define MAX_SIGNAL 32

volatile uint32_t __sphere_signals_pending;

static struct sigaction actions[MAX_SIGNAL];
static bool registered;
static sigset_t blockedMask;

/* wasi-libc spells SIG_IGN / SIG_ERR as these functions (its emulation library is not linked). */
void __SIG_IGN(int signo)
{
    (void)signo;
}

void __SIG_ERR(int signo)
{
    (void)signo;
}

static uint32_t PendingBits(sigset_t set);

static void EnsureRegistered(void)
{
    if (!registered) {
        registered = true;
        __sphere_sig_register(&__sphere_signals_pending);
    }
}

static void TerminateBy(int signo)
{
    __sphere_kill(getpid(), signo);
    /* The kernel ends the process; should it not, exit the conventional way. */
    _Exit(128 + signo);
}

static void Deliver(int signo)
{
    struct sigaction *action = &actions[signo];
    if (action->sa_flags & SA_SIGINFO) {
        siginfo_t info;
        memset(&info, 0, sizeof(info));
        info.si_signo = signo;
        void (*handler)(int, siginfo_t *, void *) = action->sa_sigaction;
        if (action->sa_flags & SA_RESETHAND) {
            action->sa_handler = SIG_DFL;
            action->sa_flags &= ~SA_SIGINFO;
        }
        handler(signo, &info, NULL);
        return;
    }
    void (*handler)(int) = action->sa_handler;
    if (handler == SIG_IGN) {
        return;
    }
    if (handler == SIG_DFL) {
        if (signo == SIGCHLD || signo == SIGURG || signo == SIGWINCH || signo == SIGCONT) {
            return;
        }
        TerminateBy(signo);
    }
    if (action->sa_flags & SA_RESETHAND) {
        action->sa_handler = SIG_DFL;
    }
    handler(signo);
}

void __sphere_dispatch_signals(void)
{
    int savedErrno = errno;
    /* Bounded: a handler may raise more signals; each round consumes the bits seen. */
    for (int round = 0; round < 4 && __sphere_signals_pending != 0; round++) {
        uint32_t pending = __sphere_signals_pending & ~PendingBits(blockedMask);
        if (pending == 0) {
            break;
        }
        __sphere_signals_pending &= ~pending;
        for (int signo = 1; signo < MAX_SIGNAL; signo++) {
            if (pending & (1u << signo)) {
                Deliver(signo);
            }
        }
    }
    errno = savedErrno;
}

int sigaction(int signum, const struct sigaction *__restrict act, struct sigaction *__restrict oldact)
{
    if (signum <= 0 || signum >= MAX_SIGNAL || ((signum == SIGKILL || signum == SIGSTOP) && act != NULL)) {
        errno = EINVAL;
        return -1;
    }
    if (oldact != NULL) {
        *oldact = actions[signum];
    }
    if (act != NULL) {
        actions[signum] = *act;
        if (act->sa_handler != SIG_DFL) {
            EnsureRegistered();
        }
    }
    return 0;
}

void (*signal(int signum, void (*handler)(int)))(int)
{
    struct sigaction action;
    struct sigaction old;
    memset(&action, 0, sizeof(action));
    action.sa_handler = handler;
    if (sigaction(signum, &action, &old) == -1) {
        return SIG_ERR;
    }
    return old.sa_handler;
}

int raise(int sig)
{
    if (sig <= 0 || sig >= MAX_SIGNAL) {
        errno = EINVAL;
        return -1;
    }
    __sphere_signals_pending |= 1u << sig;
    __sphere_dispatch_signals();
    return 0;
}

int kill(pid_t pid, int sig)
{
    if (sig < 0 || sig >= MAX_SIGNAL) {
        errno = EINVAL;
        return -1;
    }
    return __sphere_ret(__sphere_kill(pid, sig));
}

/* sigset_t (sysroot/include/__typedef_sigset_t.h) holds signals 1-31 as bit signo - 1. */
static int SetBit(int signum, sigset_t *bit)
{
    if (signum <= 0 || signum >= MAX_SIGNAL) {
        errno = EINVAL;
        return -1;
    }
    *bit = (sigset_t)1u << (signum - 1);
    return 0;
}

int sigemptyset(sigset_t *set)
{
    SPHERE_REQUIRE_PTR(set);
    *set = 0;
    return 0;
}

int sigfillset(sigset_t *set)
{
    SPHERE_REQUIRE_PTR(set);
    *set = (sigset_t)0x7fffffffu;
    return 0;
}

int sigaddset(sigset_t *set, int signum)
{
    sigset_t bit;
    SPHERE_REQUIRE_PTR(set);
    if (SetBit(signum, &bit) != 0) {
        return -1;
    }
    *set |= bit;
    return 0;
}

int sigdelset(sigset_t *set, int signum)
{
    sigset_t bit;
    SPHERE_REQUIRE_PTR(set);
    if (SetBit(signum, &bit) != 0) {
        return -1;
    }
    *set &= ~bit;
    return 0;
}

int sigismember(const sigset_t *set, int signum)
{
    sigset_t bit;
    SPHERE_REQUIRE_PTR(set);
    if (SetBit(signum, &bit) != 0) {
        return -1;
    }
    return (*set & bit) != 0;
}

/* The kernel's pending mask uses bit signo; sigset_t uses bit signo - 1. */
static uint32_t PendingBits(sigset_t set)
{
    return (uint32_t)(set << 1) & ~(1u << SIGKILL) & ~(1u << SIGSTOP);
}

int sigprocmask(int how, const sigset_t *__restrict set, sigset_t *__restrict oldset)
{
    if (oldset != NULL) {
        *oldset = blockedMask;
    }
    if (set != NULL) {
        switch (how) {
        case SIG_BLOCK:
            blockedMask |= *set;
            break;
        case SIG_UNBLOCK:
            blockedMask &= ~*set;
            break;
        case SIG_SETMASK:
            blockedMask = *set;
            break;
        default:
            errno = EINVAL;
            return -1;
        }
        if (blockedMask != 0) {
            /* the kernel must queue a blocked signal (SIGTERM included) instead of acting on it */
            EnsureRegistered();
        }
        /* signals that were pending while blocked are delivered once unblocked */
        __sphere_dispatch_signals();
    }
    return 0;
}

int pthread_sigmask(int how, const sigset_t *__restrict set, sigset_t *__restrict oldset)
{
    return sigprocmask(how, set, oldset) == 0 ? 0 : errno;
}

int sigpending(sigset_t *set)
{
    SPHERE_REQUIRE_PTR(set);
    *set = (sigset_t)(__sphere_signals_pending >> 1) & blockedMask;
    return 0;
}

static int TakePending(uint32_t wanted, siginfo_t *info)
{
    uint32_t hit = __sphere_signals_pending & wanted;
    if (hit == 0) {
        return 0;
    }
    int signo = __builtin_ctz(hit);
    __sphere_signals_pending &= ~(1u << signo);
    if (info != NULL) {
        memset(info, 0, sizeof(*info));
        info->si_signo = signo;
    }
    return signo;
}

int sigtimedwait(const sigset_t *__restrict set, siginfo_t *__restrict info, const struct timespec *__restrict timeout)
{
    SPHERE_REQUIRE_PTR(set);
    if (timeout != NULL && (timeout->tv_nsec < 0 || timeout->tv_nsec >= 1000000000L || timeout->tv_sec < 0)) {
        errno = EINVAL;
        return -1;
    }
    uint32_t wanted = PendingBits(*set);
    EnsureRegistered();
    struct timespec left = timeout != NULL ? *timeout : (struct timespec){.tv_sec = 3600, .tv_nsec = 0};
    for (;;) {
        int signo = TakePending(wanted, info);
        if (signo != 0) {
            return signo;
        }
        if (timeout != NULL && left.tv_sec == 0 && left.tv_nsec == 0) {
            errno = EAGAIN;
            return -1;
        }
        /* Sleep with the wanted signals treated as blocked, so the dispatcher after the sleep leaves them
           pending for us; any other signal runs its handler and ends the wait with EINTR, as on Linux. */
        sigset_t saved = blockedMask;
        blockedMask |= *set;
        struct timespec request = left;
        struct timespec remain = {0, 0};
        int error = clock_nanosleep(CLOCK_MONOTONIC, 0, &request, &remain);
        blockedMask = saved;
        if (error == EINTR) {
            signo = TakePending(wanted, info);
            if (signo != 0) {
                return signo;
            }
            errno = EINTR;
            return -1;
        }
        if (timeout != NULL) {
            left.tv_sec = 0;
            left.tv_nsec = 0;
        }
    }
}

int sigwaitinfo(const sigset_t *__restrict set, siginfo_t *__restrict info)
{
    return sigtimedwait(set, info, NULL);
}

int sigwait(const sigset_t *__restrict set, int *__restrict sig)
{
    int r = sigtimedwait(set, NULL, NULL);
    if (r < 0) {
        return errno;
    }
    *sig = r;
    return 0;
}
