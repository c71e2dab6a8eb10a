#!/usr/bin/env bash
# sphere-sdk: the C compiler launcher (CMAKE_C_COMPILER_LAUNCHER, set by AzureSphereToolchain.cmake).
#
#   sphere-cc-launcher.sh <clang> <arm types dir> <wasi-libc headers> -- <compile command...>
#
# printf formats are checked as the Azure Sphere target (arm-linux-musleabihf) checks them: there size_t /
# ssize_t / ptrdiff_t are unsigned int / int / int, on wasm32 clang fixes them as unsigned long / long (sizeof
# too), so "%u" of a size_t is right on the device and a -Wformat mismatch here. Each C compile therefore runs
# twice, at the same time:
#   1. the wasm32 compile as given, with -Wno-format (the object file and every other diagnostic);
#   2. a syntax-only pass of the same source with the same flags for the ARM target, over the same headers (the
#      wasi-libc headers with ARM's type sizes from <arm types dir>/bits/alltypes.h); of its diagnostics only the
#      format ones (-Wformat*, -Wnonnull: clang's "format" group) are shown, and a format error (the project's
#      -Werror) fails the compile, with clang's own message.
# Anything that is not a C compile (no -c, or no .c source) runs unchanged.
set -u
clang="$1" arm_types="$2" wasi_include="$3"
shift 3
[ "${1-}" = "--" ] && shift

source=""
compiling=0
for a in "$@"; do
    case "$a" in
        -c) compiling=1 ;;
        *.c) source="$a" ;;
    esac
done
if [ "$compiling" = 0 ] || [ -z "$source" ]; then
    exec "$@"
fi

# The ARM pass: the command's flags without the compiler, the output, the dependency file and the target.
arm=()
skip=0
first=1
for a in "$@"; do
    if [ "$first" = 1 ]; then first=0; continue; fi
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    case "$a" in
        -o|-MT|-MF|-MQ|-target) skip=1 ;;
        -c|-MD|-MMD|--target=*|--sysroot=*|-o*|-MF*|-MT*) ;;
        *) arm+=("$a") ;;
    esac
done

# (no mktemp: one process less per compile; set -C refuses an existing file)
diag="${TMPDIR:-/tmp}/sphere-format.$$.$RANDOM"
trap 'rm -f "$diag"' EXIT
set -C
: >"$diag" || exit 1
"$clang" --target=arm-linux-musleabihf -fsyntax-only -nostdlibinc "${arm[@]}" \
    -isystem "$arm_types" -isystem "$wasi_include" -D__wasi__ -D__wasm32__ \
    -fno-color-diagnostics 2>|"$diag" >/dev/null &
arm_pid=$!
"$@" -Wno-format
rc=$?
wait "$arm_pid"

# Keep the format diagnostics: a diagnostic is its "file:line:col: warning|error: ... [-W...]" line with the
# "In file included from" lines before it and the source, caret, fix-it and note lines after it.
if [ ! -s "$diag" ]; then exit "$rc"; fi
awk '
    function flush() {
        if (keep) { printf "%s", block; if (is_error) errors++ }
        block = ""; keep = 0; is_error = 0; primary = 0
    }
    /^[^ :]*clang[^ :]*: error: / { print "sphere-sdk: the ARM format check of " src " did not run: " $0; next }
    /^In file included from / { if (primary) flush(); block = block $0 "\n"; next }
    /^[^ ].*:[0-9]+:[0-9]+: (warning|error|fatal error): / {
        flush()
        primary = 1
        block = block $0 "\n"
        if ($0 ~ /\[[^]]*-W(format|nonnull)[^]]*\]$/) keep = 1
        if ($0 ~ /: error: /) is_error = 1
        next
    }
    /^[0-9]+ (warning|error)s? (and [0-9]+ (warning|error)s? )?generated\.$/ { next }
    { block = block $0 "\n" }
    END { flush(); exit errors > 0 ? 3 : 0 }
' src="$source" "$diag" >&2
format_rc=$?

if [ "$rc" != 0 ]; then exit "$rc"; fi
if [ "$format_rc" != 0 ]; then exit 1; fi
exit 0
