// SPDX-License-Identifier: GPL-2.0-or-later
/* What the tools share: messages ("PROG: ERROR: ..." on stderr, or syslog
 * with -s) and the version text. */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "tool.h"

const char *program_name = "kmod";
bool log_use_syslog;

void tool_print_version(void)
{
	printf("kmodlite version %s\n%s\n", kml_version(), kml_features());
}

void tool_log_open(bool use_syslog)
{
	log_use_syslog = use_syslog;
	if (use_syslog)
		openlog(program_name, LOG_CONS, LOG_DAEMON);
}

__attribute__((format(printf, 2, 0)))
static void tool_vlog(int priority, const char *format, va_list ap)
{
	static const char *const prefixes[] = {
		[LOG_CRIT] = "FATAL",	[LOG_ERR] = "ERROR", [LOG_WARNING] = "WARNING",
		[LOG_NOTICE] = "NOTICE", [LOG_INFO] = "INFO", [LOG_DEBUG] = "DEBUG",
	};
	if (log_use_syslog) {
		vsyslog(priority, format, ap);
		return;
	}
	fprintf(stderr, "%s: %s: ", program_name, prefixes[priority]);
	vfprintf(stderr, format, ap);
}

#define DEFINE_LOG(fn, prio)                           \
	void fn(const char *format, ...)               \
	{                                              \
		va_list ap;                            \
		va_start(ap, format);                  \
		tool_vlog(prio, format, ap);           \
		va_end(ap);                            \
	}
DEFINE_LOG(tool_err, LOG_ERR)
DEFINE_LOG(tool_fatal, LOG_CRIT)
DEFINE_LOG(tool_warn, LOG_WARNING)

__attribute__((format(printf, 2, 3)))
static void tool_log_fixed(int priority, const char *format, ...)
{
	va_list ap;
	va_start(ap, format);
	tool_vlog(priority, format, ap);
	va_end(ap);
}

void tool_log_library(void *data, int priority, const char *file, int line, const char *fn,
		      const char *message)
{
	(void)data;
	(void)file;
	(void)line;
	(void)fn;
	if (priority < LOG_CRIT || priority > LOG_DEBUG)
		priority = LOG_ERR;
	tool_log_fixed(priority, "%s\n", message);
}
