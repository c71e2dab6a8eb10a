/* The libcurl bench app: each press of button A (GPIO 12 on the MT3620 RDB) GETs https://bench.test/1m once
   through the OS's libcurl (a new connection each time: curl_easy_init + perform + cleanup) and logs the
   microseconds the GET took, so the bench can interleave its GETs with Node's one by one. */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <applibs/gpio.h>
#include <applibs/log.h>
#include <applibs/storage.h>
#include <curl/curl.h>

#define BUTTON_A 12

static size_t Sink(void *data, size_t size, size_t count, void *user)
{
    (void)data;
    *(size_t *)user += size * count;
    return size * count;
}

static int64_t NowUs(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void WaitFor(int fd, GPIO_Value_Type level)
{
    const struct timespec ms = {.tv_sec = 0, .tv_nsec = 1000 * 1000};
    GPIO_Value_Type v = level == GPIO_Value_Low ? GPIO_Value_High : GPIO_Value_Low;
    while (GPIO_GetValue(fd, &v) == 0 && v != level) {
        nanosleep(&ms, NULL);
    }
}

int main(void)
{
    char *ca = Storage_GetAbsolutePathInImagePackage("certs/ca.pem");
    int button = GPIO_OpenAsInput(BUTTON_A);
    curl_global_init(CURL_GLOBAL_ALL);
    Log_Debug("bench ready\n");
    for (int i = 0;; i++) {
        WaitFor(button, GPIO_Value_Low);
        size_t got = 0;
        CURL *c = curl_easy_init();
        curl_easy_setopt(c, CURLOPT_URL, "https://bench.test/1m");
        curl_easy_setopt(c, CURLOPT_CAINFO, ca);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Sink);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
        int64_t t0 = NowUs();
        CURLcode rc = curl_easy_perform(c);
        int64_t us = NowUs() - t0;
        curl_easy_cleanup(c);
        Log_Debug("get %d rc=%d bytes=%lu us=%lld\n", i, (int)rc, (unsigned long)got, (long long)us);
        WaitFor(button, GPIO_Value_High);
    }
}
