/* log: cachetd's log lines, to syslog (LOG_MAIL, ident "cachetd") or stderr.
 * A line about a message starts with the MTA's queue id ("NOQUEUE" when the
 * MTA gave none) so that an operator can follow one message through the MTA's
 * log and ours with one grep. Text that came from the SMTP client (addresses,
 * header values) is made printable before it is written (no log injection). */
#ifndef CACHETD_MILTER_LOG_H
#define CACHETD_MILTER_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* cachetd_log_init chooses the target: stderr when |to_stderr|, else syslog.
 * Call once before any thread starts. */
void cachetd_log_init(bool to_stderr, bool debug);
/* cachetd_log_set_debug turns detail lines on or off (a reload may change it). */
void cachetd_log_set_debug(bool on);
bool cachetd_log_debug_enabled(void);

/* cachetd_log writes one line at |priority| (LOG_ERR, LOG_WARNING, LOG_INFO,
 * LOG_DEBUG). |qid| NULL: a line about the daemon; "" or a queue id: a line
 * about a message, prefixed with the id. LOG_DEBUG lines are written only when
 * debug is on. Thread-safe. */
void cachetd_log(int priority, const char *qid, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
