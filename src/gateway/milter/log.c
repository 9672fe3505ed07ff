/* log: see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CACHETD_LOG_LINE_MAX 2048

static bool g_to_stderr;
static atomic_bool g_debug;

void cachetd_log_init(bool to_stderr, bool debug) {
    g_to_stderr = to_stderr;
    atomic_store(&g_debug, debug);
    if (!to_stderr) {
        openlog("cachetd", LOG_PID | LOG_NDELAY, LOG_MAIL);
    }
}

void cachetd_log_set_debug(bool on) {
    atomic_store(&g_debug, on);
}

bool cachetd_log_debug_enabled(void) {
    return atomic_load(&g_debug);
}

/* Bytes an SMTP client chose (CR, LF, controls, 8-bit) must not forge lines or
 * confuse terminals reading the log. */
static void cachetd_log_sanitize(char *s) {
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c >= 0x7f) {
            *s = '?';
        }
    }
}

static const char *cachetd_log_level_word(int priority) {
    switch (priority) {
        case LOG_EMERG:
        case LOG_ALERT:
        case LOG_CRIT:
        case LOG_ERR:
            return "error: ";
        case LOG_WARNING:
            return "warning: ";
        default:
            return "";
    }
}

void cachetd_log(int priority, const char *qid, const char *fmt, ...) {
    if (priority == LOG_DEBUG && !atomic_load(&g_debug)) {
        return;
    }
    char text[CACHETD_LOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);

    char line[CACHETD_LOG_LINE_MAX + 128];
    if (qid != NULL) {
        snprintf(line, sizeof line, "%s: %s%s", qid[0] != '\0' ? qid : "NOQUEUE",
                 cachetd_log_level_word(priority), text);
    } else {
        snprintf(line, sizeof line, "%s%s", cachetd_log_level_word(priority), text);
    }
    cachetd_log_sanitize(line);

    if (g_to_stderr) {
        /* One fprintf per line: stdio locks the stream, so lines from
         * concurrent messages never interleave. */
        fprintf(stderr, "cachetd[%ld]: %s\n", (long)getpid(), line);
        fflush(stderr);
    } else {
        syslog(priority, "%s", line);
    }
}
