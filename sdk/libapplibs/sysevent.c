/* sphere-sdk libapplibs: system event notifications. The kernel gives an fd (applibs.sysevent_open) that
   becomes readable when an event is pending; the library registers it on the app's EventLoop and, when it
   fires, reads one event record (applibs.sysevent_read: u32 event, u32 status, u32 max_deferral_minutes,
   u32 update_type) and calls the app's callback. */
#include <stdlib.h>
#include <unistd.h>

#include <applibs/sysevent.h>

#include "internal.h"

struct SysEvent_Info {
    uint32_t event;
    uint32_t status;
    uint32_t maxDeferralMinutes;
    uint32_t updateType;
};

typedef struct {
    EventLoop *loop;
    EventRegistration *registration;
    int fd;
    SysEvent_EventsCallback *callback;
    void *context;
} Subscription;

#define MAX_SUBSCRIPTIONS 4
static Subscription subscriptions[MAX_SUBSCRIPTIONS];

static void OnEvent(EventLoop *el, int fd, EventLoop_IoEvents events, void *context)
{
    (void)el, (void)fd, (void)events;
    Subscription *s = context;
    struct SysEvent_Info info;
    if (__applibs_sysevent_read(s->fd, &info) < 0) {
        return;
    }
    s->callback(info.event, info.status, &info, s->context);
}

SPHERE_API EventRegistration *SysEvent_RegisterForEventNotifications(EventLoop *el, SysEvent_Events eventBitmask,
                                                          SysEvent_EventsCallback *callback, void *context)
{
    if (el == NULL || callback == NULL) {
        errno = EFAULT;
        return NULL;
    }
    if (eventBitmask == 0 || (eventBitmask & ~(SysEvent_Events)SysEvent_Events_Mask) != 0) {
        errno = EINVAL;
        return NULL;
    }
    Subscription *s = NULL;
    for (int i = 0; i < MAX_SUBSCRIPTIONS; i++) {
        if (subscriptions[i].registration == NULL) {
            s = &subscriptions[i];
            break;
        }
    }
    if (s == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    int fd = __sphere_ret(__applibs_sysevent_open(eventBitmask));
    if (fd < 0) {
        return NULL;
    }
    s->loop = el;
    s->fd = fd;
    s->callback = callback;
    s->context = context;
    s->registration = EventLoop_RegisterIo(el, fd, EventLoop_Input, OnEvent, s);
    if (s->registration == NULL) {
        int saved = errno;
        close(fd);
        errno = saved;
        return NULL;
    }
    return s->registration;
}

SPHERE_API int SysEvent_UnregisterForEventNotifications(EventRegistration *reg)
{
    SPHERE_REQUIRE_PTR(reg);
    for (int i = 0; i < MAX_SUBSCRIPTIONS; i++) {
        Subscription *s = &subscriptions[i];
        if (s->registration == reg) {
            EventLoop_UnregisterIo(s->loop, reg);
            close(s->fd);
            memset(s, 0, sizeof(*s));
            return 0;
        }
    }
    errno = EINVAL;
    return -1;
}

SPHERE_API int SysEvent_Info_GetUpdateData(const SysEvent_Info *info, SysEvent_Info_UpdateData *update_info)
{
    if (info == NULL || update_info == NULL) {
        errno = EFAULT;
        return -1;
    }
    if ((info->event & (SysEvent_Events_UpdateReadyForInstall | SysEvent_Events_UpdateStarted)) == 0) {
        errno = EINVAL;
        return -1;
    }
    update_info->max_deferral_time_in_minutes = info->maxDeferralMinutes;
    update_info->update_type = info->updateType;
    return 0;
}

SPHERE_API int SysEvent_DeferEvent(SysEvent_Events event, uint32_t requested_defer_time_in_minutes)
{
    if (event != SysEvent_Events_UpdateReadyForInstall) {
        errno = EINVAL;
        return -1;
    }
    return __sphere_ret(__applibs_sysevent_defer(event, requested_defer_time_in_minutes));
}

SPHERE_API int SysEvent_ResumeEvent(SysEvent_Events event)
{
    if (event != SysEvent_Events_UpdateReadyForInstall) {
        errno = EINVAL;
        return -1;
    }
    return __sphere_ret(__applibs_sysevent_resume(event));
}
