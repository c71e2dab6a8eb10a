/**
 * The SDK headers compile cleanly for wasm32 (every applibs header + the Linux compat headers), with the struct
 * layouts sdk/ABI.md and the applibs reference give, and libapplibs builds warning-free.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {spawnSync} from 'node:child_process'
import {mkdirSync, readdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {requireToolchain, sdkDir, type Toolchain} from '../../src/sdk/index.js'
import {removeDir, tempDir, toolchainPresent} from './helpers.js'

const d = toolchainPresent ? describe : describe.skip

const PROGRAM = `
#include "applibs_versions.h"
#include <applibs/log.h>
#include <applibs/gpio.h>
#include <applibs/uart.h>
#include <applibs/i2c.h>
#include <applibs/spi.h>
#include <applibs/adc.h>
#include <applibs/pwm.h>
#include <applibs/storage.h>
#include <applibs/networking.h>
#include <applibs/application.h>
#include <applibs/applications.h>
#include <applibs/eventloop.h>
#include <applibs/powermanagement.h>
#include <applibs/sysevent.h>
#include <applibs/wificonfig.h>
#include <applibs/certstore.h>
#include <applibs/rtc.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <netinet/in.h>

#define CHECK(x) _Static_assert(x, #x)
CHECK(sizeof(UART_Config) == 16);
CHECK(offsetof(UART_Config, flowControl) == 12);
CHECK(sizeof(SPIMaster_Config) == 8);
CHECK(sizeof(SPIMaster_Transfer) == 20);
CHECK(offsetof(SPIMaster_Transfer, length) == 16);
CHECK(sizeof(PwmState) == 16);
CHECK(sizeof(Networking_NetworkInterface) == 32);
CHECK(offsetof(Networking_NetworkInterface, ipConfigurationType) == 28);
CHECK(sizeof(Networking_IpConfig) == 40);
CHECK(sizeof(WifiConfig_StoredNetwork) == 40);
CHECK(sizeof(WifiConfig_ScannedNetwork) == 52);
CHECK(offsetof(WifiConfig_ScannedNetwork, signalRssi) == 48);
CHECK(sizeof(CertStore_Identifier) == 17);
CHECK(sizeof(SysEvent_Info_UpdateData) == 8);
CHECK(sizeof(struct epoll_event) == 16);
CHECK(offsetof(struct epoll_event, data) == 8);
CHECK(sizeof(struct itimerspec) == 32);
CHECK(sizeof(struct timespec) == 16);
CHECK(EventLoop_Input == EPOLLIN && EventLoop_Output == EPOLLOUT && EventLoop_Error == EPOLLERR);
CHECK(EACCES == 2 && EINTR == 27 && ENOSYS == 52);
CHECK(SIGTERM == 15);
CHECK(TFD_NONBLOCK == 0x800 && EFD_NONBLOCK == 0x800);

static volatile sig_atomic_t flag;
static void OnTerm(int s) { flag = s; }

int main(void)
{
    struct sigaction action = {0};
    action.sa_handler = OnTerm;
    sigaction(SIGTERM, &action, NULL);
    UART_Config config;
    UART_InitConfig(&config);
    return PowerManagement_ForceSystemReboot() + (int)Applications_GetTotalMemoryUsageInKB() + getpid();
}
`

d('SDK headers and libapplibs', () => {
  let dir: string
  let tc: Toolchain
  let sysroot: string
  beforeAll(() => {
    dir = tempDir('sphere-headers-')
    tc = requireToolchain()
    sysroot = join(dir, 'sysroot')
    mkdirSync(join(sysroot, 'include'), {recursive: true})
    mkdirSync(join(sysroot, 'lib'), {recursive: true})
    symlinkSync(tc.wasiSysroot.include, join(sysroot, 'include', 'wasm32-wasi'))
    symlinkSync(tc.wasiSysroot.lib, join(sysroot, 'lib', 'wasm32-wasi'))
  })
  afterAll(() => removeDir(dir))

  const clang = (args: string[]): {status: number | null; out: string} => {
    const r = spawnSync(tc.clang, ['--target=wasm32-wasi', `--sysroot=${sysroot}`, '-isystem', join(sdkDir(), 'sysroot', 'include'), ...args], {encoding: 'utf8'})
    return {status: r.status, out: r.stdout + r.stderr}
  }

  test('every applibs header and the Linux headers compile together with -Wall -Werror; layouts match the ABI', () => {
    writeFileSync(join(dir, 'applibs_versions.h'), '#pragma once\n#define UART_STRUCTS_VERSION 1\n#define SPI_STRUCTS_VERSION 1\n#define WIFICONFIG_STRUCTS_VERSION 1\n#define NETWORKING_STRUCTS_VERSION 1\n')
    writeFileSync(join(dir, 'all.c'), PROGRAM)
    const r = clang(['-Wall', '-Wextra', '-Werror', '-Wno-unused-parameter', '-fsyntax-only', '-I', dir, join(dir, 'all.c')])
    expect(r.out).toBe('')
    expect(r.status).toBe(0)
  })

  test('a versioned header without its *_STRUCTS_VERSION fails with the SDK message', () => {
    writeFileSync(join(dir, 'uart.c'), '#include <applibs/uart.h>\n')
    const r = clang(['-fsyntax-only', join(dir, 'uart.c')])
    expect(r.status).not.toBe(0)
    expect(r.out).toContain('To use applibs/uart.h you must first #define UART_STRUCTS_VERSION to 1')
  })

  test('host glibc headers are not reachable (a clean sysroot)', () => {
    writeFileSync(join(dir, 'glibc.c'), '#include <gnu/libc-version.h>\n')
    const r = clang(['-fsyntax-only', join(dir, 'glibc.c')])
    expect(r.status).not.toBe(0)
    expect(r.out).toMatch(/file not found/)
  })

  test('libapplibs compiles with -Wall -Wextra -Werror', () => {
    const src = join(sdkDir(), 'libapplibs')
    const files = readdirSync(src)
      .filter((f) => f.endsWith('.c'))
      .map((f) => join(src, f))
    expect(files.length).toBeGreaterThan(15)
    const r = clang(['-Os', '-Wall', '-Wextra', '-Werror', '-Wno-unused-parameter', '-fsyntax-only', ...files])
    expect(r.out).toBe('')
    expect(r.status).toBe(0)
  })
})
