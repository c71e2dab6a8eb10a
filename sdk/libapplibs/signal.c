/* sphere-sdk libapplibs: signals. On the first sigaction()/signal() that installs a handler, the library
   registers a pending-signal bitmask with the kernel (sphere.sig_register). The kernel ORs 1 << signo into it
   and interrupts any blocking call with EINTR; the library runs the handler right after that call returns
   (see __sphere_after_blocking_call), on the app's own stack. A signal left at SIG_DFL terminates the app
   (sphere.kill on itself); SIG_IGN drops it. */
#include <stdbool.h>
#include <stdlib.h>
#include <signal.h>
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
        uint32_t pending = __sphere_signals_pending;
        __sphere_signals_pending = 0;
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

/* sigset_t is wasi-libc's 8-bit placeholder: only signals 1-8 can be represented. */
static int SetBit(int signum, unsigned char *bit)
{
    if (signum <= 0 || signum >= MAX_SIGNAL) {
        errno = EINVAL;
        return -1;
    }
    *bit = signum <= 8 ? (unsigned char)(1u << (signum - 1)) : 0;
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
    *set = (sigset_t)0xff;
    return 0;
}

int sigaddset(sigset_t *set, int signum)
{
    unsigned char bit;
    SPHERE_REQUIRE_PTR(set);
    if (SetBit(signum, &bit) != 0) {
        return -1;
    }
    *set |= bit;
    return 0;
}

int sigdelset(sigset_t *set, int signum)
{
    unsigned char bit;
    SPHERE_REQUIRE_PTR(set);
    if (SetBit(signum, &bit) != 0) {
        return -1;
    }
    *set &= (sigset_t)~bit;
    return 0;
}

int sigismember(const sigset_t *set, int signum)
{
    unsigned char bit;
    SPHERE_REQUIRE_PTR(set);
    if (SetBit(signum, &bit) != 0) {
        return -1;
    }
    return (*set & bit) != 0;
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
            blockedMask &= (sigset_t)~*set;
            break;
        case SIG_SETMASK:
            blockedMask = *set;
            break;
        default:
            errno = EINVAL;
            return -1;
        }
    }
    return 0;
}

int pthread_sigmask(int how, const sigset_t *__restrict set, sigset_t *__restrict oldset)
{
    return sigprocmask(how, set, oldset) == 0 ? 0 : errno;
}
