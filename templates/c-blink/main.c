// __APP_NAME__: blinks TEMPLATE_LED (LED 1 red on the MT3620 RDB) every 500 ms until the app is stopped.
//
// Uses applibs gpio + log, nanosleep, and a SIGTERM handler (the OS sends SIGTERM when it stops the app).

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "applibs_versions.h"
#include <applibs/gpio.h>
#include <applibs/log.h>

#include <hw/template_appliance.h>

typedef enum {
    ExitCode_Success = 0,
    ExitCode_Main_Led = 1,
    ExitCode_Main_SetValue = 2
} ExitCode;

static volatile sig_atomic_t stopRequested = false;

static void TerminationHandler(int signalNumber)
{
    (void)signalNumber;
    stopRequested = true;
}

int main(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = TerminationHandler;
    sigaction(SIGTERM, &action, NULL);

    Log_Debug("Blink starting.\n");
    int ledFd = GPIO_OpenAsOutput(TEMPLATE_LED, GPIO_OutputMode_PushPull, GPIO_Value_High);
    if (ledFd == -1) {
        Log_Debug("ERROR: could not open the LED GPIO: %s (%d). Is it in app_manifest.json?\n", strerror(errno),
                  errno);
        return ExitCode_Main_Led;
    }

    // The LED is active-low: GPIO_Value_Low turns it on.
    const struct timespec halfPeriod = {.tv_sec = 0, .tv_nsec = 500 * 1000 * 1000};
    GPIO_Value_Type value = GPIO_Value_High;
    ExitCode exitCode = ExitCode_Success;
    while (!stopRequested) {
        value = (value == GPIO_Value_High) ? GPIO_Value_Low : GPIO_Value_High;
        if (GPIO_SetValue(ledFd, value) != 0) {
            Log_Debug("ERROR: could not set the LED: %s (%d)\n", strerror(errno), errno);
            exitCode = ExitCode_Main_SetValue;
            break;
        }
        nanosleep(&halfPeriod, NULL);
    }

    GPIO_SetValue(ledFd, GPIO_Value_High);
    close(ledFd);
    Log_Debug("Blink exiting (%d).\n", exitCode);
    return exitCode;
}
