/* sphere-sdk applibs: single-threaded event loop over file descriptors (an epoll fd underneath). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An event loop. Create with EventLoop_Create, release with EventLoop_Close.
typedef struct EventLoop EventLoop;

/// A registration of an fd (or a system event source) on an event loop.
typedef struct EventRegistration EventRegistration;

/// Result of EventLoop_Run.
typedef int EventLoop_Run_Result;
enum {
    /// The call failed; errno says why (EINTR when a signal handler ran).
    EventLoop_Run_Failed = -1,
    /// The call finished without processing any event.
    EventLoop_Run_FinishedEmpty = 0,
    /// The call processed at least one event, or EventLoop_Stop was called.
    EventLoop_Run_Finished = 1
};

/// I/O events (same bits as EPOLLIN / EPOLLOUT / EPOLLERR).
typedef uint32_t EventLoop_IoEvents;
enum {
    EventLoop_None = 0x00,
    EventLoop_Input = 0x01,
    EventLoop_Output = 0x04,
    EventLoop_Error = 0x08
};

/// Called on the loop's thread when a registered fd has events.
typedef void EventLoopIoCallback(EventLoop *el, int fd, EventLoop_IoEvents events, void *context);

/// Creates an event loop. Returns NULL with errno set on failure (ENOMEM, EMFILE).
EventLoop *EventLoop_Create(void);

/// Closes an event loop and releases every registration on it. NULL is a no-op.
void EventLoop_Close(EventLoop *el);

/// Runs the loop. duration_in_milliseconds: 0 = process ready events and return, >0 = at most that long,
/// -1 = until stopped. process_one_event: return after one event has been processed.
/// Returns EventLoop_Run_Failed with errno EFAULT (el NULL), EBUSY (called from a callback), EINTR (a signal
/// handler ran), or the errno of the underlying wait.
EventLoop_Run_Result EventLoop_Run(EventLoop *el, int duration_in_milliseconds, bool process_one_event);

/// Stops a running EventLoop_Run (callable from a callback). Returns 0, or -1 with errno EFAULT.
int EventLoop_Stop(EventLoop *el);

/// The fd that becomes readable when the loop has events ready (to nest it in another loop). -1/EFAULT.
int EventLoop_GetWaitDescriptor(EventLoop *el);

/// Registers fd for eventBitmask. Returns the registration, or NULL with errno: EFAULT (el or callback NULL),
/// EINVAL (bad mask), EBADF (bad fd), EEXIST (fd already registered on this loop).
EventRegistration *EventLoop_RegisterIo(EventLoop *el, int fd, EventLoop_IoEvents eventBitmask,
                                        EventLoopIoCallback *callback, void *context);

/// Changes the events of a registration. Returns 0, or -1 with errno EFAULT / EINVAL.
int EventLoop_ModifyIoEvents(EventLoop *el, EventRegistration *reg, EventLoop_IoEvents eventBitmask);

/// Removes a registration (NULL is a no-op). Returns 0, or -1 with errno EFAULT (el NULL).
int EventLoop_UnregisterIo(EventLoop *el, EventRegistration *reg);

#ifdef __cplusplus
}
#endif
