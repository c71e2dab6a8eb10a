/* sphere-sdk sysroot: sigset_t holds signals 1-31 (bit signo - 1), instead of wasi-libc's 8-bit placeholder,
   so SIGTERM (15) can be blocked and waited for (sigprocmask, sigtimedwait). No wasi-libc function takes it. */
#ifndef __wasilibc___typedef_sigset_t_h
#define __wasilibc___typedef_sigset_t_h

typedef unsigned long sigset_t;

#endif
