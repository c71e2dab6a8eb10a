// __APP_NAME__: blinks TEMPLATE_LED (LED 1 red on the MT3620 RDB) every 500 ms; each press of TEMPLATE_BUTTON
// (button A) switches between 500 ms and 125 ms. Stops cleanly on SIGTERM (`sphere device app stop`).
//
// AssemblyScript with the SDK's "applibs" library (the C API's names) and "hw/template_appliance", which the
// build generates from the hardware definition named in asconfig.json (like the C header hw/*.h).
import {Clock, GPIO, Log, Termination, errno, exit, strerror} from "applibs"
import {TEMPLATE_BUTTON, TEMPLATE_LED} from "hw/template_appliance"

const TICK_MS: u32 = 25 // button poll interval; both blink rates are multiples of it
const SLOW_MS: u32 = 500
const FAST_MS: u32 = 125

const ExitCode_Success = 0
const ExitCode_Main_Led = 1
const ExitCode_Main_Button = 2
const ExitCode_Main_SetValue = 3

function main(): i32 {
  Termination.catchSigterm()
  Log.debug("Blink starting.\n")

  const ledFd = GPIO.openAsOutput(TEMPLATE_LED, GPIO.PushPull, GPIO.High)
  if (ledFd < 0) {
    Log.debug(`ERROR: could not open the LED GPIO: ${strerror(errno)} (${errno}). Is it in app_manifest.json?\n`)
    return ExitCode_Main_Led
  }
  const buttonFd = GPIO.openAsInput(TEMPLATE_BUTTON)
  if (buttonFd < 0) {
    Log.debug(`ERROR: could not open the button GPIO: ${strerror(errno)} (${errno})\n`)
    return ExitCode_Main_Button
  }

  // The LED and the button are active-low: GPIO.Low turns the LED on / means "pressed".
  let halfPeriodMs = SLOW_MS
  let led = GPIO.High
  let lastButton = GPIO.High
  let ticks: u32 = 0
  let exitCode = ExitCode_Success
  // Sleep until absolute deadlines on a fixed grid, so the period does not drift with the work done.
  let deadline = Clock.nowNs()
  while (!Termination.requested()) {
    deadline += <u64>TICK_MS * Clock.NS_PER_MS
    if (Clock.sleepUntilNs(deadline) < 0) continue // EINTR: SIGTERM arrived
    ticks++

    const button = GPIO.getValue(buttonFd)
    if (button == GPIO.Low && lastButton == GPIO.High) {
      halfPeriodMs = halfPeriodMs == SLOW_MS ? FAST_MS : SLOW_MS
      ticks = 0
      Log.debug(`Button A: blinking every ${halfPeriodMs} ms\n`)
    }
    if (button >= 0) lastButton = button

    if (ticks * TICK_MS >= halfPeriodMs) {
      ticks = 0
      led = led == GPIO.High ? GPIO.Low : GPIO.High
      if (GPIO.setValue(ledFd, led) < 0) {
        Log.debug(`ERROR: could not set the LED: ${strerror(errno)} (${errno})\n`)
        exitCode = ExitCode_Main_SetValue
        break
      }
    }
  }

  GPIO.setValue(ledFd, GPIO.High)
  Log.debug(`Blink exiting (${exitCode}).\n`)
  return exitCode
}

exit(main())
