/* sphere-sdk libapplibs: time zones as on Azure Sphere, where the app sets its zone with a POSIX TZ string
   (setenv("TZ", "PST+8", 1); tzset()): there is no zoneinfo database on the device. Replaces wasi-libc's
   UTC-only __secs_to_zone / __tm_to_tzname (localtime, mktime, strftime %Z use them) and provides tzset,
   tzname, timezone and daylight. TZ unset or unparsable: UTC.
   Format: std offset [dst [offset] [,start[/time],end[/time]]], names alphabetic (3+) or <quoted>; rules
   Jn (1-365, no Feb 29), n (0-365) or Mm.w.d; the default rule is the US one (M3.2.0,M11.1.0). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *tzname[2] = {"UTC", "UTC"};
long timezone;
int daylight;
const char __utc[] = "UTC";

typedef struct {
    char kind; /* 'J', 'D' (zero-based day), 'M' */
    int m, w, d, day;
    long time; /* seconds after local midnight */
} Rule;

static char stdName[16] = "UTC";
static char dstName[16] = "UTC";
static long stdOffset; /* seconds west of UTC (POSIX sign) */
static long dstOffset;
static Rule startRule, endRule;
static char lastTz[64];
static bool loaded;

static const char *ParseName(const char *s, char *out)
{
    size_t n = 0;
    if (*s == '<') {
        s++;
        while (*s && *s != '>' && n < 15) {
            out[n++] = *s++;
        }
        if (*s != '>') {
            return NULL;
        }
        s++;
    } else {
        while (((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) && n < 15) {
            out[n++] = *s++;
        }
    }
    out[n] = '\0';
    return n >= 3 ? s : NULL;
}

static const char *ParseNumber(const char *s, int *out)
{
    if (*s < '0' || *s > '9') {
        return NULL;
    }
    int v = 0;
    while (*s >= '0' && *s <= '9' && v < 100000) {
        v = v * 10 + (*s++ - '0');
    }
    *out = v;
    return s;
}

/* [+-]hh[:mm[:ss]] -> seconds */
static const char *ParseOffset(const char *s, long *out)
{
    int sign = 1;
    if (*s == '+' || *s == '-') {
        sign = *s == '-' ? -1 : 1;
        s++;
    }
    int h = 0, m = 0, sec = 0;
    if ((s = ParseNumber(s, &h)) == NULL || h > 167) {
        return NULL;
    }
    if (*s == ':') {
        if ((s = ParseNumber(s + 1, &m)) == NULL || m > 59) {
            return NULL;
        }
        if (*s == ':' && ((s = ParseNumber(s + 1, &sec)) == NULL || sec > 59)) {
            return NULL;
        }
    }
    *out = sign * (h * 3600L + m * 60L + sec);
    return s;
}

static const char *ParseRule(const char *s, Rule *r)
{
    r->time = 7200;
    if (*s == 'J') {
        r->kind = 'J';
        if ((s = ParseNumber(s + 1, &r->day)) == NULL || r->day < 1 || r->day > 365) {
            return NULL;
        }
    } else if (*s == 'M') {
        r->kind = 'M';
        if ((s = ParseNumber(s + 1, &r->m)) == NULL || *s != '.' || r->m < 1 || r->m > 12 ||
            (s = ParseNumber(s + 1, &r->w)) == NULL || *s != '.' || r->w < 1 || r->w > 5 ||
            (s = ParseNumber(s + 1, &r->d)) == NULL || r->d > 6) {
            return NULL;
        }
    } else {
        r->kind = 'D';
        if ((s = ParseNumber(s, &r->day)) == NULL || r->day > 365) {
            return NULL;
        }
    }
    if (*s == '/') {
        if ((s = ParseOffset(s + 1, &r->time)) == NULL) {
            return NULL;
        }
    }
    return s;
}

static bool Parse(const char *s)
{
    if ((s = ParseName(s, stdName)) == NULL || (s = ParseOffset(s, &stdOffset)) == NULL) {
        return false;
    }
    daylight = 0;
    if (*s == '\0') {
        strcpy(dstName, stdName);
        dstOffset = stdOffset;
        return true;
    }
    if ((s = ParseName(s, dstName)) == NULL) {
        return false;
    }
    dstOffset = stdOffset - 3600;
    if (*s != ',' && *s != '\0' && (s = ParseOffset(s, &dstOffset)) == NULL) {
        return false;
    }
    if (*s == '\0') {
        startRule = (Rule){.kind = 'M', .m = 3, .w = 2, .d = 0, .time = 7200};
        endRule = (Rule){.kind = 'M', .m = 11, .w = 1, .d = 0, .time = 7200};
    } else if (*s != ',' || (s = ParseRule(s + 1, &startRule)) == NULL || *s != ',' ||
               (s = ParseRule(s + 1, &endRule)) == NULL || *s != '\0') {
        return false;
    }
    daylight = 1;
    return true;
}

void tzset(void)
{
    const char *tz = getenv("TZ");
    if (tz == NULL) {
        tz = "";
    }
    if (*tz == ':') {
        tz++;
    }
    if (loaded && strncmp(tz, lastTz, sizeof(lastTz)) == 0) {
        return;
    }
    loaded = true;
    strncpy(lastTz, tz, sizeof(lastTz) - 1);
    if (*tz == '\0' || !Parse(tz)) {
        strcpy(stdName, "UTC");
        strcpy(dstName, "UTC");
        stdOffset = dstOffset = 0;
        daylight = 0;
    }
    timezone = stdOffset;
    tzname[0] = stdName;
    tzname[1] = daylight ? dstName : stdName;
}

static bool IsLeap(long long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-01-01. */
static long long DaysToYear(long long y)
{
    long long d = 0;
    for (long long i = 1970; i < y; i++) {
        d += IsLeap(i) ? 366 : 365;
    }
    for (long long i = y; i < 1970; i++) {
        d -= IsLeap(i) ? 366 : 365;
    }
    return d;
}

/* Seconds from the start of the year (local standard/dst time as the rule states) to the rule's instant. */
static long long RuleSeconds(const Rule *r, long long year)
{
    static const int monthDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long long day;
    if (r->kind == 'J') {
        day = r->day - 1;
        if (IsLeap(year) && r->day > 59) {
            day++;
        }
    } else if (r->kind == 'D') {
        day = r->day;
    } else {
        long long first = 0;
        for (int i = 0; i < r->m - 1; i++) {
            first += monthDays[i] + (i == 1 && IsLeap(year));
        }
        /* weekday of the month's first day (1970-01-01 was a Thursday, 4) */
        long long wday = ((DaysToYear(year) + first) % 7 + 4 + 7) % 7;
        long long d = (r->d - wday + 7) % 7;
        d += 7 * (r->w - 1);
        int len = monthDays[r->m - 1] + (r->m == 2 && IsLeap(year));
        while (d >= len) {
            d -= 7;
        }
        day = first + d;
    }
    return day * 86400 + r->time;
}

static bool InDst(long long t, bool local)
{
    if (!daylight) {
        return false;
    }
    /* civil year of t in standard time */
    long long days = (t - (local ? 0 : stdOffset)) / 86400;
    long long year = 1970 + days / 366;
    while (DaysToYear(year + 1) * 86400 <= t - (local ? 0 : stdOffset)) {
        year++;
    }
    while (DaysToYear(year) * 86400 > t - (local ? 0 : stdOffset)) {
        year--;
    }
    long long base = DaysToYear(year) * 86400;
    /* transitions in UTC: start is in standard time, end is in daylight time */
    long long start = base + RuleSeconds(&startRule, year) + stdOffset;
    long long end = base + RuleSeconds(&endRule, year) + dstOffset;
    long long u = local ? t + stdOffset : t;
    if (start < end) {
        return u >= start && u < end;
    }
    return !(u >= end && u < start); /* southern hemisphere */
}

void __secs_to_zone(long long t, int local, int *isdst, long *offset, long *oppoff, const char **zonename)
{
    tzset();
    bool dst = InDst(t, local != 0);
    *isdst = dst;
    /* musl's convention: offset is seconds east of UTC */
    *offset = -(dst ? dstOffset : stdOffset);
    if (oppoff != NULL) {
        *oppoff = -(dst ? stdOffset : dstOffset);
    }
    *zonename = dst ? dstName : stdName;
}

const char *__tm_to_tzname(const struct tm *tm)
{
    const void *p = tm->__tm_zone;
    tzset();
    if (p == __utc || p == stdName || p == dstName) {
        return p;
    }
    if (tm->tm_isdst >= 0) {
        return tm->tm_isdst ? dstName : stdName;
    }
    return __utc;
}
