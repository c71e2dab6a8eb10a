/* sphere-sdk applibs: system event notifications (updates). Capabilities: "SystemEventNotifications": true,
   "SoftwareUpdateDeferral": true for deferring. */
#pragma once

#include <stdint.h>

#include <applibs/applibs_internal_api_traits.h>
#include <applibs/eventloop.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t SysEvent_Events;
enum {
    SysEvent_Events_None = 0x00,
    SysEvent_Events_UpdateReadyForInstall = 0x01,
    SysEvent_Events_Update _AZSPHERE_DEPRECATED_BY(SysEvent_Events_UpdateReadyForInstall) = 0x01,
    SysEvent_Events_UpdateStarted = 0x02,
    SysEvent_Events_NoUpdateAvailable = 0x04,
    SysEvent_Events_Mask = 0x07
};

typedef uint32_t SysEvent_Status;
enum {
    SysEvent_Status_Invalid = 0,
    SysEvent_Status_Pending = 1,
    SysEvent_Status_Final = 2,
    SysEvent_Status_Deferred = 3,
    SysEvent_Status_Rejected _AZSPHERE_DEPRECATED_BY(SysEvent_Status_Deferred) = 3,
    SysEvent_Status_Complete = 4
};

typedef uint32_t SysEvent_UpdateType;
enum {
    SysEvent_UpdateType_Invalid = 0,
    SysEvent_UpdateType_App = 1,
    SysEvent_UpdateType_System = 2
};

typedef struct SysEvent_Info_UpdateData {
    unsigned int max_deferral_time_in_minutes;
    SysEvent_UpdateType update_type;
} SysEvent_Info_UpdateData;

typedef struct SysEvent_Info SysEvent_Info;

typedef void SysEvent_EventsCallback(SysEvent_Events event, SysEvent_Status state, const SysEvent_Info *info,
                                     void *context);

/// Registers callback on el for the events in eventBitmask. Returns a registration, or NULL with errno EACCES
/// (no SystemEventNotifications capability), EFAULT, EINVAL.
EventRegistration *SysEvent_RegisterForEventNotifications(EventLoop *el, SysEvent_Events eventBitmask,
                                                          SysEvent_EventsCallback *callback, void *context);

/// Unregisters. Returns 0, or -1 with errno EFAULT.
int SysEvent_UnregisterForEventNotifications(EventRegistration *reg);

/// Extracts update data from an update event's info. Returns 0, or -1 with errno EFAULT, EINVAL.
int SysEvent_Info_GetUpdateData(const SysEvent_Info *info, SysEvent_Info_UpdateData *update_info);

/// Defers an UpdateReadyForInstall event. Returns 0, or -1 with errno EACCES, EINVAL.
int SysEvent_DeferEvent(SysEvent_Events event, uint32_t requested_defer_time_in_minutes);

/// Resumes a deferred event. Returns 0, or -1 with errno EACCES, EINVAL.
int SysEvent_ResumeEvent(SysEvent_Events event);

#ifdef __cplusplus
}
#endif
