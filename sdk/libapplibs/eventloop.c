/* sphere-sdk libapplibs: EventLoop on top of the kernel's epoll (sphere.epoll_*). Registrations live in a
   list owned by the loop; a registration removed while the loop dispatches is freed only after the dispatch
   so that an event already fetched for it is skipped safely. */
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>

#include <applibs/eventloop.h>

#include "internal.h"

#define MAX_EVENTS_PER_WAIT 16
#define VALID_EVENTS (EventLoop_Input | EventLoop_Output | EventLoop_Error)

struct EventRegistration {
    EventLoop *loop;
    int fd;
    EventLoop_IoEvents events;
    EventLoopIoCallback *callback;
    void *context;
    bool removed;
    EventRegistration *next;
};

struct EventLoop {
    int epollFd;
    bool running;
    bool stopRequested;
    EventRegistration *registrations;
    EventRegistration *graveyard; /* removed during a dispatch, freed when it ends */
};

SPHERE_API EventLoop *EventLoop_Create(void)
{
    EventLoop *el = calloc(1, sizeof(EventLoop));
    if (el == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    el->epollFd = epoll_create1(EPOLL_CLOEXEC);
    if (el->epollFd == -1) {
        int saved = errno;
        free(el);
        errno = saved;
        return NULL;
    }
    return el;
}

static void FreeList(EventRegistration *reg)
{
    while (reg != NULL) {
        EventRegistration *next = reg->next;
        free(reg);
        reg = next;
    }
}

SPHERE_API void EventLoop_Close(EventLoop *el)
{
    if (el == NULL) {
        return;
    }
    close(el->epollFd);
    FreeList(el->registrations);
    FreeList(el->graveyard);
    free(el);
}

SPHERE_API int EventLoop_Stop(EventLoop *el)
{
    SPHERE_REQUIRE_PTR(el);
    el->stopRequested = true;
    return 0;
}

SPHERE_API int EventLoop_GetWaitDescriptor(EventLoop *el)
{
    SPHERE_REQUIRE_PTR(el);
    return el->epollFd;
}

SPHERE_API EventRegistration *EventLoop_RegisterIo(EventLoop *el, int fd, EventLoop_IoEvents eventBitmask,
                                        EventLoopIoCallback *callback, void *context)
{
    if (el == NULL || callback == NULL) {
        errno = EFAULT;
        return NULL;
    }
    if ((eventBitmask & ~(EventLoop_IoEvents)VALID_EVENTS) != 0) {
        errno = EINVAL;
        return NULL;
    }
    for (EventRegistration *r = el->registrations; r != NULL; r = r->next) {
        if (r->fd == fd) {
            errno = EEXIST;
            return NULL;
        }
    }
    EventRegistration *reg = calloc(1, sizeof(EventRegistration));
    if (reg == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    reg->loop = el;
    reg->fd = fd;
    reg->events = eventBitmask;
    reg->callback = callback;
    reg->context = context;
    struct epoll_event ev = {.events = eventBitmask, .data.ptr = reg};
    if (epoll_ctl(el->epollFd, EPOLL_CTL_ADD, fd, &ev) == -1) {
        int saved = errno;
        free(reg);
        errno = saved;
        return NULL;
    }
    reg->next = el->registrations;
    el->registrations = reg;
    return reg;
}

SPHERE_API int EventLoop_ModifyIoEvents(EventLoop *el, EventRegistration *reg, EventLoop_IoEvents eventBitmask)
{
    if (el == NULL || reg == NULL) {
        errno = EFAULT;
        return -1;
    }
    if ((eventBitmask & ~(EventLoop_IoEvents)VALID_EVENTS) != 0) {
        errno = EINVAL;
        return -1;
    }
    struct epoll_event ev = {.events = eventBitmask, .data.ptr = reg};
    if (epoll_ctl(el->epollFd, EPOLL_CTL_MOD, reg->fd, &ev) == -1) {
        return -1;
    }
    reg->events = eventBitmask;
    return 0;
}

SPHERE_API int EventLoop_UnregisterIo(EventLoop *el, EventRegistration *reg)
{
    if (reg == NULL) {
        return 0;
    }
    SPHERE_REQUIRE_PTR(el);
    EventRegistration **link = &el->registrations;
    while (*link != NULL && *link != reg) {
        link = &(*link)->next;
    }
    if (*link == NULL) {
        errno = EINVAL;
        return -1;
    }
    *link = reg->next;
    /* The fd may already be closed; the registration goes away regardless. */
    int saved = errno;
    epoll_ctl(el->epollFd, EPOLL_CTL_DEL, reg->fd, NULL);
    errno = saved;
    reg->removed = true;
    if (el->running) {
        reg->next = el->graveyard;
        el->graveyard = reg;
    } else {
        free(reg);
    }
    return 0;
}

static int64_t MonotonicMs(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Waits once and dispatches what arrived. Returns the number of callbacks run, or -1 (errno set). */
static int WaitAndDispatch(EventLoop *el, int timeoutMs, bool processOne)
{
    struct epoll_event events[MAX_EVENTS_PER_WAIT];
    int n = epoll_wait(el->epollFd, events, processOne ? 1 : MAX_EVENTS_PER_WAIT, timeoutMs);
    if (n < 0) {
        return -1;
    }
    int dispatched = 0;
    for (int i = 0; i < n; i++) {
        EventRegistration *reg = events[i].data.ptr;
        if (reg == NULL || reg->removed) {
            continue;
        }
        EventLoop_IoEvents got = events[i].events & VALID_EVENTS;
        if ((events[i].events & EPOLLHUP) != 0) {
            got |= EventLoop_Error;
        }
        reg->callback(el, reg->fd, got, reg->context);
        dispatched++;
        if (el->stopRequested) {
            break;
        }
    }
    return dispatched;
}

SPHERE_API EventLoop_Run_Result EventLoop_Run(EventLoop *el, int duration_in_milliseconds, bool process_one_event)
{
    if (el == NULL) {
        errno = EFAULT;
        return EventLoop_Run_Failed;
    }
    if (el->running) {
        errno = EBUSY;
        return EventLoop_Run_Failed;
    }
    if (duration_in_milliseconds < -1) {
        errno = EINVAL;
        return EventLoop_Run_Failed;
    }
    el->running = true;
    el->stopRequested = false;
    EventLoop_Run_Result result = EventLoop_Run_FinishedEmpty;
    int64_t deadline = duration_in_milliseconds > 0 ? MonotonicMs() + duration_in_milliseconds : 0;
    for (;;) {
        int timeoutMs = duration_in_milliseconds;
        if (duration_in_milliseconds > 0) {
            int64_t left = deadline - MonotonicMs();
            timeoutMs = left > 0 ? (int)left : 0;
        }
        int dispatched = WaitAndDispatch(el, timeoutMs, process_one_event && duration_in_milliseconds != 0);
        if (dispatched < 0) {
            result = EventLoop_Run_Failed;
            break;
        }
        if (dispatched > 0) {
            result = EventLoop_Run_Finished;
        }
        if (el->stopRequested) {
            result = EventLoop_Run_Finished;
            break;
        }
        if (duration_in_milliseconds == 0 || (process_one_event && dispatched > 0)) {
            break;
        }
        if (duration_in_milliseconds > 0 && MonotonicMs() >= deadline) {
            break;
        }
    }
    int saved = errno;
    el->running = false;
    FreeList(el->graveyard);
    el->graveyard = NULL;
    errno = saved;
    return result;
}
