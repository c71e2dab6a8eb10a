// __APP_NAME__: blinks TEMPLATE_LED from a periodic timer on an applibs EventLoop. Pressing TEMPLATE_BUTTON
// (button A on the MT3620 RDB; polled every 10 ms) cycles the blink period through 125, 250 and 500 ms.
// The app exits cleanly on SIGTERM, which the OS sends when it stops the app.
//
// Uses applibs gpio, log and eventloop, timerfd, and sigaction.

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/timerfd.h>

#include "applibs_versions.h"
#include <applibs/eventloop.h>
#include <applibs/gpio.h>
#include <applibs/log.h>

#include <hw/template_appliance.h>

typedef enum {
    ExitCode_Success = 0,
    ExitCode_TermHandler_SigTerm = 1,
    ExitCode_LedTimer_Consume = 2,
    ExitCode_LedTimer_SetLedState = 3,
    ExitCode_ButtonTimer_Consume = 4,
    ExitCode_ButtonTimer_GetButtonState = 5,
    ExitCode_ButtonTimer_SetPeriod = 6,
    ExitCode_Init_EventLoop = 7,
    ExitCode_Init_Button = 8,
    ExitCode_Init_ButtonTimer = 9,
    ExitCode_Init_Led = 10,
    ExitCode_Init_LedTimer = 11,
    ExitCode_Main_EventLoopFail = 12
} ExitCode;

static volatile sig_atomic_t exitCode = ExitCode_Success;

static EventLoop *eventLoop = NULL;
static int ledFd = -1;
static int buttonFd = -1;
static int ledTimerFd = -1;
static int buttonTimerFd = -1;
static EventRegistration *ledTimerReg = NULL;
static EventRegistration *buttonTimerReg = NULL;

static GPIO_Value_Type ledState = GPIO_Value_High; // active-low: High = off
static GPIO_Value_Type buttonState = GPIO_Value_High; // released
static const long blinkPeriodsMs[] = {125, 250, 500};
static unsigned blinkIndex = 0;

static void TerminationHandler(int signalNumber)
{
    (void)signalNumber;
    exitCode = ExitCode_TermHandler_SigTerm;
}

static struct timespec Milliseconds(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    return ts;
}

static int SetPeriod(int timerFd, long ms)
{
    struct itimerspec spec = {.it_interval = Milliseconds(ms), .it_value = Milliseconds(ms)};
    return timerfd_settime(timerFd, 0, &spec, NULL);
}

static int CreatePeriodicTimer(long ms)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    if (fd == -1) {
        return -1;
    }
    if (SetPeriod(fd, ms) == -1) {
        close(fd);
        return -1;
    }
    return fd;
}

static int ConsumeTimer(int timerFd)
{
    uint64_t expirations = 0;
    return read(timerFd, &expirations, sizeof(expirations)) == (ssize_t)sizeof(expirations) ? 0 : -1;
}

static void LedTimerHandler(EventLoop *el, int fd, EventLoop_IoEvents events, void *context)
{
    (void)el, (void)events, (void)context;
    if (ConsumeTimer(fd) != 0) {
        exitCode = ExitCode_LedTimer_Consume;
        return;
    }
    ledState = (ledState == GPIO_Value_Low) ? GPIO_Value_High : GPIO_Value_Low;
    if (GPIO_SetValue(ledFd, ledState) != 0) {
        Log_Debug("ERROR: could not set the LED: %s (%d)\n", strerror(errno), errno);
        exitCode = ExitCode_LedTimer_SetLedState;
    }
}

static void ButtonTimerHandler(EventLoop *el, int fd, EventLoop_IoEvents events, void *context)
{
    (void)el, (void)events, (void)context;
    if (ConsumeTimer(fd) != 0) {
        exitCode = ExitCode_ButtonTimer_Consume;
        return;
    }
    GPIO_Value_Type newState;
    if (GPIO_GetValue(buttonFd, &newState) != 0) {
        Log_Debug("ERROR: could not read the button: %s (%d)\n", strerror(errno), errno);
        exitCode = ExitCode_ButtonTimer_GetButtonState;
        return;
    }
    // The button reads Low while pressed: change the period on each press.
    if (newState != buttonState && newState == GPIO_Value_Low) {
        blinkIndex = (blinkIndex + 1) % (sizeof(blinkPeriodsMs) / sizeof(blinkPeriodsMs[0]));
        Log_Debug("Blink period: %ld ms\n", blinkPeriodsMs[blinkIndex]);
        if (SetPeriod(ledTimerFd, blinkPeriodsMs[blinkIndex]) != 0) {
            exitCode = ExitCode_ButtonTimer_SetPeriod;
        }
    }
    buttonState = newState;
}

static ExitCode Init(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = TerminationHandler;
    sigaction(SIGTERM, &action, NULL);

    eventLoop = EventLoop_Create();
    if (eventLoop == NULL) {
        Log_Debug("ERROR: could not create the event loop: %s (%d)\n", strerror(errno), errno);
        return ExitCode_Init_EventLoop;
    }

    buttonFd = GPIO_OpenAsInput(TEMPLATE_BUTTON);
    if (buttonFd == -1) {
        Log_Debug("ERROR: could not open the button GPIO: %s (%d)\n", strerror(errno), errno);
        return ExitCode_Init_Button;
    }
    buttonTimerFd = CreatePeriodicTimer(10);
    buttonTimerReg = buttonTimerFd == -1
                         ? NULL
                         : EventLoop_RegisterIo(eventLoop, buttonTimerFd, EventLoop_Input, ButtonTimerHandler, NULL);
    if (buttonTimerReg == NULL) {
        Log_Debug("ERROR: could not set up the button timer: %s (%d)\n", strerror(errno), errno);
        return ExitCode_Init_ButtonTimer;
    }

    ledFd = GPIO_OpenAsOutput(TEMPLATE_LED, GPIO_OutputMode_PushPull, GPIO_Value_High);
    if (ledFd == -1) {
        Log_Debug("ERROR: could not open the LED GPIO: %s (%d)\n", strerror(errno), errno);
        return ExitCode_Init_Led;
    }
    ledTimerFd = CreatePeriodicTimer(blinkPeriodsMs[blinkIndex]);
    ledTimerReg =
        ledTimerFd == -1 ? NULL : EventLoop_RegisterIo(eventLoop, ledTimerFd, EventLoop_Input, LedTimerHandler, NULL);
    if (ledTimerReg == NULL) {
        Log_Debug("ERROR: could not set up the LED timer: %s (%d)\n", strerror(errno), errno);
        return ExitCode_Init_LedTimer;
    }
    return ExitCode_Success;
}

static void CloseFd(int fd)
{
    if (fd >= 0) {
        close(fd);
    }
}

static void Cleanup(void)
{
    if (ledFd >= 0) {
        GPIO_SetValue(ledFd, GPIO_Value_High);
    }
    if (eventLoop != NULL) {
        EventLoop_UnregisterIo(eventLoop, ledTimerReg);
        EventLoop_UnregisterIo(eventLoop, buttonTimerReg);
        EventLoop_Close(eventLoop);
    }
    CloseFd(ledTimerFd);
    CloseFd(buttonTimerFd);
    CloseFd(ledFd);
    CloseFd(buttonFd);
}

int main(void)
{
    Log_Debug("Event loop blink starting.\n");
    exitCode = Init();
    while (exitCode == ExitCode_Success) {
        EventLoop_Run_Result result = EventLoop_Run(eventLoop, -1, true);
        if (result == EventLoop_Run_Failed && errno != EINTR) {
            exitCode = ExitCode_Main_EventLoopFail;
        }
    }
    Cleanup();
    Log_Debug("Event loop blink exiting (%d).\n", (int)exitCode);
    return exitCode;
}
