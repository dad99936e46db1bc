// SPDX-License-Identifier: GPL-2.0-or-later
/* Helpers of the fuzz targets: splitting inputs, a private temporary
 * directory, a context whose log messages are read. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

void fuzz_split(const uint8_t *data, size_t size, struct fuzz_part *parts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		parts[i] = (struct fuzz_part){ (const uint8_t *)"", 0 };
	for (size_t i = 0; i < n && size > 0; i++) {
		const uint8_t *sep = i + 1 < n ? memchr(data, FUZZ_SEP, size) : NULL;
		size_t len = sep ? (size_t)(sep - data) : size;
		parts[i] = (struct fuzz_part){ data, len };
		if (!sep)
			break;
		data += len + 1;
		size -= len + 1;
	}
}

char *fuzz_strndup(const void *data, size_t len)
{
	char *s = malloc(len + 1);
	if (!s)
		abort();
	if (len)
		memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

static char tmpdir[256];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_tmpdir(void)
{
	/* only the process that made it (a child of a fork would remove it
	 * under its parent) */
	if (tmpdir[0])
		nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_tmpdir(void)
{
	if (!tmpdir[0]) {
		/* files are rewritten at every execution: on a disk file
		 * system, ext4 flushes a truncated and rewritten file at close
		 * (auto_da_alloc), which slows targets tenfold; /dev/shm is
		 * memory */
		const char *base = getenv("TMPDIR");
		if (!base || !*base)
			base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
		snprintf(tmpdir, sizeof(tmpdir), "%s/kmodlite-fuzz.XXXXXX", base);
		if (!mkdtemp(tmpdir)) {
			perror("fuzz: mkdtemp");
			abort();
		}
		atexit(remove_tmpdir);
	}
	return tmpdir;
}

const char *fuzz_path(const char *name)
{
	static char paths[16][512];
	static unsigned int next;
	char *p = paths[next++ % 16];
	snprintf(p, sizeof(paths[0]), "%s/%s", fuzz_tmpdir(), name);
	return p;
}

static void make_parents(const char *path)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + strlen(fuzz_tmpdir()) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
			perror("fuzz: mkdir");
			abort();
		}
		*p = '/';
	}
}

const char *fuzz_write(const char *name, const void *data, size_t len)
{
	const char *path = fuzz_path(name);
	make_parents(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror("fuzz: open");
		abort();
	}
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror("fuzz: write");
			abort();
		}
		p += n;
		len -= (size_t)n;
	}
	close(fd);
	return path;
}

size_t fuzz_touch(const char *s)
{
	/* strlen reads every byte up to the NUL: an overread shows */
	return s ? strlen(s) : 0;
}

static void log_sink(void *data, int priority, const char *file, int line, const char *fn,
		     const char *message)
{
	size_t *total = data;
	*total += fuzz_touch(message) + fuzz_touch(file) + fuzz_touch(fn) + (size_t)priority +
		  (size_t)line;
}

struct kml_ctx *fuzz_ctx(const char *moddir)
{
	static size_t logged;
	struct kml_ctx *ctx;
	const char *dir = fuzz_path(moddir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		perror("fuzz: mkdir");
		abort();
	}
	if (kml_ctx_new("/nonexistent", "0.0.0-fuzz", &ctx) < 0 ||
	    kml_ctx_set_module_dir(ctx, dir) < 0)
		abort();
	kml_ctx_set_log(ctx, log_sink, &logged, KML_LOG_DEBUG);
	return ctx;
}

static bool is_word_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
	       c == '=' || c == ',' || c == '\0';
}

size_t fuzz_words(const char *text, size_t len, char **words, size_t max)
{
	size_t n = 0, i = 0;
	while (n < max && i < len) {
		while (i < len && is_word_sep(text[i]))
			i++;
		size_t start = i;
		while (i < len && !is_word_sep(text[i]))
			i++;
		if (i > start)
			words[n++] = fuzz_strndup(text + start, i - start);
	}
	return n;
}

void fuzz_words_free(char **words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(words[i]);
}
