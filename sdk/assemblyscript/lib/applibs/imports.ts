// sphere-sdk AssemblyScript library: the raw app ABI (sdk/ABI.md) as @external declarations. Only the
// functions an app calls end up as imports of its module. Results follow the ABI: >= 0 success, -errno
// (applibs/sphere) or a WASI errno (wasi_snapshot_preview1). App code normally uses the wrappers in
// 'applibs' (GPIO, Log, Clock, Termination, ...), which turn failures into -1 + errno like the C library.

// ---- wasi_snapshot_preview1 ----
@external("wasi_snapshot_preview1", "clock_time_get")
export declare function wasi_clock_time_get(id: u32, precision: u64, out: usize): u16
@external("wasi_snapshot_preview1", "poll_oneoff")
export declare function wasi_poll_oneoff(subs: usize, events: usize, nsubs: u32, nevents: usize): u16
@external("wasi_snapshot_preview1", "fd_read")
export declare function wasi_fd_read(fd: i32, iovs: usize, iovsLen: u32, nread: usize): u16
@external("wasi_snapshot_preview1", "fd_write")
export declare function wasi_fd_write(fd: i32, iovs: usize, iovsLen: u32, nwritten: usize): u16
@external("wasi_snapshot_preview1", "fd_close")
export declare function wasi_fd_close(fd: i32): u16
@external("wasi_snapshot_preview1", "random_get")
export declare function wasi_random_get(buf: usize, len: u32): u16
@external("wasi_snapshot_preview1", "proc_exit")
export declare function wasi_proc_exit(code: u32): void

// ---- sphere ----
@external("sphere", "timerfd_create")
export declare function sphere_timerfd_create(clockid: i32, flags: i32): i32
@external("sphere", "timerfd_settime")
export declare function sphere_timerfd_settime(fd: i32, flags: i32, newValue: usize, oldValue: usize): i32
@external("sphere", "eventfd")
export declare function sphere_eventfd(initval: u32, flags: i32): i32
@external("sphere", "epoll_create1")
export declare function sphere_epoll_create1(flags: i32): i32
@external("sphere", "epoll_ctl")
export declare function sphere_epoll_ctl(epfd: i32, op: i32, fd: i32, event: usize): i32
@external("sphere", "epoll_wait")
export declare function sphere_epoll_wait(epfd: i32, events: usize, maxevents: i32, timeoutMs: i32): i32
@external("sphere", "sig_register")
export declare function sphere_sig_register(pending: usize): i32
@external("sphere", "getpid")
export declare function sphere_getpid(): i32

// ---- applibs ----
@external("applibs", "log_write")
export declare function applibs_log_write(buf: usize, len: u32): i32
@external("applibs", "gpio_open_input")
export declare function applibs_gpio_open_input(gpioId: i32): i32
@external("applibs", "gpio_open_output")
export declare function applibs_gpio_open_output(gpioId: i32, outputMode: i32, initialValue: i32): i32
@external("applibs", "gpio_get_value")
export declare function applibs_gpio_get_value(fd: i32, out: usize): i32
@external("applibs", "gpio_set_value")
export declare function applibs_gpio_set_value(fd: i32, value: i32): i32
@external("applibs", "storage_open_mutable")
export declare function applibs_storage_open_mutable(): i32
@external("applibs", "storage_delete_mutable")
export declare function applibs_storage_delete_mutable(): i32
@external("applibs", "storage_open_in_package")
export declare function applibs_storage_open_in_package(path: usize, len: u32): i32
