/* sphere-sdk sysroot: <setjmp.h> (wasi-libc has none). setjmp / longjmp work through the OS, which already
   suspends apps with Asyncify: setjmp has the OS unwind the app's stack, keep a copy of it (a token in the
   jmp_buf names the copy) and rewind; longjmp unwinds and rewinds into the kept copy, where setjmp returns the
   value. As C requires, volatile locals keep their latest values (they live in linear memory) and other locals
   modified after setjmp are indeterminate (here: their values at setjmp). At most 16 stacks are kept per
   process (the oldest is dropped; a longjmp to it ends the app with SIGSEGV). sigsetjmp/siglongjmp do not save
   the signal mask (savemask is ignored). */
#ifndef _SETJMP_H
#define _SETJMP_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct __jmp_buf_tag {
    unsigned long __token;
    unsigned long __reserved[15];
} jmp_buf[1];
typedef jmp_buf sigjmp_buf;

__attribute__((__returns_twice__)) int setjmp(jmp_buf env);
__attribute__((__noreturn__)) void longjmp(jmp_buf env, int val);
__attribute__((__returns_twice__)) int _setjmp(jmp_buf env);
__attribute__((__noreturn__)) void _longjmp(jmp_buf env, int val);
__attribute__((__returns_twice__)) int sigsetjmp(sigjmp_buf env, int savemask);
__attribute__((__noreturn__)) void siglongjmp(sigjmp_buf env, int val);

#ifdef __cplusplus
}
#endif

#endif
