// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Configuration files shared by modprobe.d and depmod.d: which files are
 * read, in which order, and how a file is cut into logical lines and words.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "conf-file.h"

/* ------------------------------------------------ the list of files */

static int conf_list_add(struct conf_list *list, char *path)
{
	int r = ARRAY_GROW(list->files, list->cap, list->count + 1);
	if (r < 0) {
		free(path);
		return r;
	}
	const char *slash = strrchr(path, '/');
	list->files[list->count] = (struct conf_file){
		.path = path,
		.name = slash ? slash + 1 : path,
		.seq = list->count,
	};
	list->count++;
	return 0;
}

static bool is_conf_name(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' && n > 5 && streq(name + n - 5, ".conf");
}

static int conf_list_add_dir(struct kml_ctx *ctx, struct conf_list *list, const char *dirpath,
			     DIR *d)
{
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			if (errno)
				kml_err(ctx, "could not read directory %s: %s", dirpath,
					strerror(errno));
			return 0;
		}
		if (!is_conf_name(de->d_name))
			continue;
		struct stat st;
		/* an entry that cannot be stat'ed (dangling link) is kept: reading
		 * it reports the error, and it still hides same-named later files;
		 * the file system's entry type spares the stat of plain files */
		bool is_dir = de->d_type == DT_DIR;
		if (de->d_type != DT_REG && de->d_type != DT_DIR)
			is_dir = fstatat(dirfd(d), de->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
		if (is_dir) {
			kml_err(ctx, "Directories inside directories are not supported: %s/%s",
				dirpath, de->d_name);
			continue;
		}
		char *path = path_join(dirpath, de->d_name, strlen(de->d_name));
		if (!path)
			return -ENOMEM;
		int r = conf_list_add(list, path);
		if (r < 0)
			return r;
	}
}

static int conf_list_add_path(struct kml_ctx *ctx, struct conf_list *list, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			kml_err(ctx, "could not access %s: %s", path, strerror(errno));
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		char *p = strdup(path);
		if (!p)
			return -ENOMEM;
		return conf_list_add(list, p);
	}
	DIR *d = opendir(path);
	if (!d) {
		if (errno == ENOMEM)
			return -ENOMEM;
		if (errno != ENOENT)
			kml_err(ctx, "could not open directory %s: %s", path, strerror(errno));
		return 0;
	}
	int r = conf_list_add_dir(ctx, list, path, d);
	closedir(d);
	return r;
}

static int conf_file_cmp(const void *a, const void *b)
{
	const struct conf_file *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void conf_list_release(struct conf_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		free(list->files[i].path);
	free(list->files);
	*list = (struct conf_list){ 0 };
}

int conf_list_build(struct kml_ctx *ctx, const char *const *paths, struct conf_list *list)
{
	*list = (struct conf_list){ 0 };
	for (size_t i = 0; paths && paths[i]; i++) {
		int r = conf_list_add_path(ctx, list, paths[i]);
		if (r < 0) {
			conf_list_release(list);
			return r;
		}
	}
	if (list->count > 1)
		qsort(list->files, list->count, sizeof(*list->files), conf_file_cmp);
	/* drop the files hidden by an earlier one of the same basename */
	size_t w = 0;
	for (size_t i = 0; i < list->count; i++) {
		if (w > 0 && streq(list->files[i].name, list->files[w - 1].name)) {
			kml_dbg(ctx, "%s hidden by a file of the same name", list->files[i].path);
			free(list->files[i].path);
			continue;
		}
		list->files[w++] = list->files[i];
	}
	list->count = w;
	return 0;
}

int conf_list_insert(struct conf_list *list, const char *path)
{
	char *p = strdup(path);
	if (!p)
		return -ENOMEM;
	int r = conf_list_add(list, p);
	if (r < 0)
		return r;
	struct conf_file f = list->files[list->count - 1];
	f.optional = true;
	size_t i = list->count - 1;
	for (; i > 0 && strcmp(list->files[i - 1].name, f.name) > 0; i--)
		list->files[i] = list->files[i - 1];
	list->files[i] = f;
	return 0;
}

/* ------------------------------------------------ reading a file */

int conf_file_read(const char *path, char **ret_buf, size_t *ret_len)
{
	/* non-blocking: a FIFO named *.conf must not hang us */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	struct stat st;
	int r;
	if (fstat(fd, &st) < 0) {
		r = -errno;
	} else if (S_ISDIR(st.st_mode)) {
		r = -EISDIR;
	} else if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3) {
		/* /dev/null: a masked file, empty */
		*ret_buf = calloc(1, 1);
		*ret_len = 0;
		r = *ret_buf ? 0 : -ENOMEM;
	} else if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
	} else {
		r = read_fd_full(fd, CONF_MAX_FILE, ret_buf, ret_len);
	}
	close(fd);
	return r;
}

/*
 * Most lines hold no backslash: they are found with memchr() and cut in
 * place. The others have their escapes resolved by copying backwards over
 * the consumed bytes, so no line buffer is needed: the write position never
 * passes the read position, and a line's terminator lands on a consumed byte
 * (or on the buffer's own terminator at the end).
 */
static size_t escaped_line(char *buf, size_t len, size_t pos, struct conf_line *line)
{
	size_t start = pos, w = pos;
	while (pos < len) {
		char c = buf[pos++];
		if (c == '\n')
			break;
		if (c == '\\' && pos < len) {
			c = buf[pos++];
			if (c == '\n') {
				line->lineno++;
				continue;
			}
		}
		if (w - start >= CONF_MAX_LINE) {
			line->too_long = true;
			continue;
		}
		if (c == '\0')
			line->has_nul = true;
		buf[w++] = c;
	}
	buf[w] = '\0';
	line->text = buf + start;
	line->len = w - start;
	return pos;
}

int conf_buffer_foreach_line(char *buf, size_t len, conf_line_fn fn, void *data)
{
	size_t pos = 0;
	unsigned long lineno = 1;
	/* the usual file has neither: then each line is only looked for */
	bool any_escape = memchr(buf, '\\', len) != NULL;
	bool any_nul = memchr(buf, '\0', len) != NULL;
	while (pos < len) {
		struct conf_line line = { .lineno = lineno };
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		if (end - pos <= CONF_MAX_LINE &&
		    (!any_escape || !memchr(buf + pos, '\\', end - pos))) {
			buf[end] = '\0';
			line.text = buf + pos;
			line.len = end - pos;
			line.has_nul = any_nul && strlen(line.text) != line.len;
			pos = nl ? end + 1 : len;
		} else {
			pos = escaped_line(buf, len, pos, &line);
		}
		int r = fn(data, &line);
		if (r < 0)
			return r;
		lineno = line.lineno + 1;
	}
	return 0;
}

/* ------------------------------------------------ words */

static bool is_sep(char c)
{
	return c == ' ' || c == '\t';
}

char *conf_next_word(char **cursor)
{
	char *p = *cursor;
	while (is_sep(*p))
		p++;
	if (!*p) {
		*cursor = p;
		return NULL;
	}
	char *word = p;
	p += strcspn(p, " \t");
	if (*p)
		*p++ = '\0';
	*cursor = p;
	return word;
}

bool conf_has_word(const char *s)
{
	for (; *s; s++)
		if (!is_sep(*s))
			return true;
	return false;
}

const char *conf_printable(const char *word, char buf[CONF_PRINTABLE_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	const size_t limit = CONF_PRINTABLE_SIZE - 16;
	size_t o = 0;
	for (const unsigned char *s = (const unsigned char *)word; *s; s++) {
		bool plain = *s >= 0x20 && *s < 0x7f;
		if (o + (plain ? 1 : 4) > limit) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (plain) {
			buf[o++] = (char)*s;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[*s >> 4];
			buf[o++] = hex[*s & 15];
		}
	}
	buf[o] = '\0';
	return buf;
}
