// SPDX-License-Identifier: GPL-2.0-or-later
/* Files under a temporary root and captured log messages, for unit tests. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "test-helpers.h"

struct capture logged;

const char *at(const char *name)
{
	static char slots[8][512];
	static int next;
	char *p = slots[next++ % 8];
	snprintf(p, sizeof(slots[0]), "%s/%s", root, name);
	return p;
}

void mkdir_in(const char *dir)
{
	assert_int_equal(mkdir(at(dir), 0755), 0);
}

void write_bytes(const char *name, const void *data, size_t len)
{
	FILE *f = fopen(at(name), "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

void write_file(const char *name, const char *text)
{
	write_bytes(name, text, strlen(text));
}

int remove_root(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

void capture_log(void *data, int priority, const char *file, int line, const char *fn,
		 const char *message)
{
	(void)file;
	(void)line;
	(void)fn;
	struct capture *c = data;
	if (priority > KML_LOG_WARNING)
		return;
	c->count++;
	if (c->max_priority_seen == 0 || priority < c->max_priority_seen)
		c->max_priority_seen = priority;
	assert_int_equal(strbuf_append_str(&c->text, message), 0);
	assert_int_equal(strbuf_append_str(&c->text, "\n"), 0);
}

void log_reset(void)
{
	free(logged.text.data);
	memset(&logged, 0, sizeof(logged));
}

const char *log_text(void)
{
	return logged.text.data ? logged.text.data : "";
}
