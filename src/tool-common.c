// SPDX-License-Identifier: GPL-2.0-or-later
/* What the tools share: messages ("PROG: ERROR: ..." on stderr, or syslog
 * with -s), the version text, a module state's name, and the command line
 * and context of the smaller tools. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "kmodlite-private.h"
#include "tool.h"

const char *program_name = "kmod";
bool log_use_syslog;

void tool_print_version(void)
{
	printf("kmodlite version %s\n%s\n", kml_version(), kml_features());
}

const char *tool_module_state_name(enum kml_module_state state)
{
	switch (state) {
	case KML_STATE_BUILTIN:
		return "builtin";
	case KML_STATE_LIVE:
		return "live";
	case KML_STATE_COMING:
		return "coming";
	case KML_STATE_GOING:
		return "going";
	default:
		return "not loaded";
	}
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

int tool_parse_options(int argc, char *argv[], unsigned int set, void (*help)(void),
		       struct tool_options *opts)
{
	enum { OPT_JSON = 256 };
	/* in the order each tool has always listed them (getopt_long names
	 * the candidates of an ambiguous abbreviation in this order) */
	struct option longopts[7];
	size_t n = 0;
	char shortopts[16] = "";
	if (set & TOOL_OPT_MODULE_DIR) {
		longopts[n++] = (struct option){ "config", required_argument, 0, 'C' };
		longopts[n++] = (struct option){ "dirname", required_argument, 0, 'd' };
		longopts[n++] = (struct option){ "set-version", required_argument, 0, 'S' };
		strcat(shortopts, "C:d:S:");
	}
	longopts[n++] = (struct option){ "json", no_argument, 0, OPT_JSON };
	if (set & TOOL_OPT_VERSION) {
		longopts[n++] = (struct option){ "version", no_argument, 0, 'V' };
		strcat(shortopts, "V");
	}
	longopts[n++] = (struct option){ "help", no_argument, 0, 'h' };
	longopts[n] = (struct option){ 0, 0, 0, 0 };
	strcat(shortopts, "h");
	for (;;) {
		int c = getopt_long(argc, argv, shortopts, longopts, NULL);
		if (c == -1)
			return 0;
		switch (c) {
		case 'C':
			if (ARRAY_GROW(opts->configs, opts->config_cap, opts->config_count + 2) < 0)
				return -ENOMEM;
			opts->configs[opts->config_count++] = optarg;
			opts->configs[opts->config_count] = NULL;
			break;
		case 'd':
			opts->root = optarg;
			break;
		case 'S':
			opts->kver = optarg;
			break;
		case OPT_JSON:
			opts->json = true;
			break;
		case 'V':
			tool_print_version();
			return 1;
		case 'h':
			help();
			return 1;
		default:
			return -EINVAL;
		}
	}
}

void tool_options_release(struct tool_options *opts)
{
	free(opts->configs);
	*opts = (struct tool_options){ 0 };
}

int tool_ctx_new(const struct tool_options *opts, struct kml_ctx **ctx)
{
	int r = kml_ctx_new(opts->root, opts->kver, ctx);
	if (r < 0) {
		tool_err("could not create context\n");
		return r;
	}
	kml_ctx_set_log(*ctx, tool_log_library, NULL, KML_LOG_ERR);
	return 0;
}
