/* sphere-sdk libapplibs: setjmp / longjmp over the OS's stack save/restore (sphere.setjmp / sphere.longjmp,
   see sysroot/include/setjmp.h). setjmp keeps a stack frame of its own: when a longjmp rewinds into it, its
   epilogue puts the stack pointer back where the caller had it (Asyncify restores wasm locals, not globals). */
#include <setjmp.h>

#include "internal.h"

__attribute__((__noinline__, __returns_twice__)) int setjmp(jmp_buf env)
{
    volatile unsigned char frame[16];
    frame[0] = 0;
    int r = __sphere_setjmp(env);
    return r + frame[0];
}

__attribute__((__noreturn__)) void longjmp(jmp_buf env, int val)
{
    __sphere_longjmp(env, val);
    __builtin_trap(); /* the OS never returns here */
}

__attribute__((__noinline__, __returns_twice__)) int _setjmp(jmp_buf env)
{
    volatile unsigned char frame[16];
    frame[0] = 0;
    int r = __sphere_setjmp(env);
    return r + frame[0];
}

__attribute__((__noreturn__)) void _longjmp(jmp_buf env, int val)
{
    longjmp(env, val);
}

__attribute__((__noinline__, __returns_twice__)) int sigsetjmp(sigjmp_buf env, int savemask)
{
    (void)savemask;
    volatile unsigned char frame[16];
    frame[0] = 0;
    int r = __sphere_setjmp(env);
    return r + frame[0];
}

__attribute__((__noreturn__)) void siglongjmp(sigjmp_buf env, int val)
{
    longjmp(env, val);
}
