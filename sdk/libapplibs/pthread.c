/* sphere-sdk libapplibs: single-threaded pthreads. Apps have one thread; mutexes cannot contend. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "internal.h"

#define MAX_KEYS 32

static const void *keyValues[MAX_KEYS];
static bool keyUsed[MAX_KEYS];

int pthread_create(pthread_t *__restrict thread, const pthread_attr_t *__restrict attr, void *(*start)(void *),
                   void *__restrict arg)
{
    (void)thread, (void)attr, (void)start, (void)arg;
    return EAGAIN;
}

int pthread_join(pthread_t thread, void **retval)
{
    (void)thread, (void)retval;
    return ESRCH;
}

int pthread_detach(pthread_t thread)
{
    (void)thread;
    return ESRCH;
}

pthread_t pthread_self(void)
{
    return (pthread_t)0;
}

int pthread_equal(pthread_t a, pthread_t b)
{
    return a == b;
}

int pthread_attr_init(pthread_attr_t *attr)
{
    memset(attr, 0, sizeof(*attr));
    return 0;
}

int pthread_attr_destroy(pthread_attr_t *attr)
{
    (void)attr;
    return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *attr, int state)
{
    (void)attr, (void)state;
    return 0;
}

int pthread_mutex_init(pthread_mutex_t *__restrict mutex, const pthread_mutexattr_t *__restrict attr)
{
    (void)attr;
    memset(mutex, 0, sizeof(*mutex));
    return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *mutex)
{
    (void)mutex;
    return 0;
}

int pthread_mutex_lock(pthread_mutex_t *mutex)
{
    (void)mutex;
    return 0;
}

int pthread_mutex_trylock(pthread_mutex_t *mutex)
{
    (void)mutex;
    return 0;
}

int pthread_mutex_unlock(pthread_mutex_t *mutex)
{
    (void)mutex;
    return 0;
}

int pthread_mutexattr_init(pthread_mutexattr_t *attr)
{
    memset(attr, 0, sizeof(*attr));
    return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *attr)
{
    (void)attr;
    return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type)
{
    (void)attr;
    return type >= 0 && type <= 2 ? 0 : EINVAL;
}

int pthread_cond_init(pthread_cond_t *__restrict cond, const pthread_condattr_t *__restrict attr)
{
    (void)attr;
    memset(cond, 0, sizeof(*cond));
    return 0;
}

int pthread_cond_destroy(pthread_cond_t *cond)
{
    (void)cond;
    return 0;
}

int pthread_cond_signal(pthread_cond_t *cond)
{
    (void)cond;
    return 0;
}

int pthread_cond_broadcast(pthread_cond_t *cond)
{
    (void)cond;
    return 0;
}

int pthread_once(pthread_once_t *once, void (*init)(void))
{
    if (*once == 0) {
        *once = 1;
        init();
    }
    return 0;
}

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
    (void)destructor;
    for (unsigned i = 0; i < MAX_KEYS; i++) {
        if (!keyUsed[i]) {
            keyUsed[i] = true;
            keyValues[i] = NULL;
            *key = i;
            return 0;
        }
    }
    return EAGAIN;
}

int pthread_key_delete(pthread_key_t key)
{
    if (key >= MAX_KEYS || !keyUsed[key]) {
        return EINVAL;
    }
    keyUsed[key] = false;
    return 0;
}

void *pthread_getspecific(pthread_key_t key)
{
    return key < MAX_KEYS ? (void *)keyValues[key] : NULL;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
    if (key >= MAX_KEYS || !keyUsed[key]) {
        return EINVAL;
    }
    keyValues[key] = value;
    return 0;
}
