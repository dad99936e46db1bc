// SPDX-License-Identifier: LGPL-2.1-or-later
/* Small helpers: whole-file reads and a growable buffer. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmodlite-private.h"

int strbuf_reserve(struct strbuf *sb, size_t extra)
{
	size_t need;
	if (__builtin_add_overflow(sb->len, extra, &need) || need == SIZE_MAX)
		return -ENOMEM;
	need++; /* room for a terminating NUL */
	if (need <= sb->cap)
		return 0;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			return -ENOMEM;
		cap *= 2;
	}
	char *p = realloc(sb->data, cap);
	if (!p)
		return -ENOMEM;
	sb->data = p;
	sb->cap = cap;
	sb->data[sb->len] = '\0';
	return 0;
}

int strbuf_grow_bounded(struct strbuf *sb, size_t max)
{
	size_t extra = sb->cap ? sb->cap : 4096;
	if (max < SIZE_MAX - 1 && sb->len + extra > max + 1)
		extra = max + 1 > sb->len ? max + 1 - sb->len : 1;
	if (extra < 1)
		extra = 1;
	return strbuf_reserve(sb, extra);
}

int strbuf_append(struct strbuf *sb, const void *data, size_t len)
{
	int r = strbuf_reserve(sb, len);
	if (r < 0)
		return r;
	memcpy(sb->data + sb->len, data, len);
	sb->len += len;
	sb->data[sb->len] = '\0';
	return 0;
}

int strbuf_append_str(struct strbuf *sb, const char *s)
{
	return strbuf_append(sb, s, strlen(s));
}

int read_fd_full(int fd, size_t max, char **ret_buf, size_t *ret_len)
{
	struct strbuf sb = { 0 };
	struct stat st;
	int r = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		if ((uint64_t)st.st_size > max)
			return -EFBIG;
		r = strbuf_reserve(&sb, (size_t)st.st_size);
		if (r < 0)
			return r;
	}
	for (;;) {
		r = strbuf_reserve(&sb, 65536);
		if (r < 0)
			goto out;
		ssize_t n = read(fd, sb.data + sb.len, sb.cap - sb.len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		sb.len += (size_t)n;
		if (sb.len > max) {
			r = -EFBIG;
			goto out;
		}
	}
	sb.data[sb.len] = '\0';
	*ret_buf = sb.data;
	*ret_len = sb.len;
	return 0;
out:
	free(sb.data);
	return r;
}

int read_file_full(const char *path, size_t max, char **ret_buf, size_t *ret_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = read_fd_full(fd, max, ret_buf, ret_len);
	close(fd);
	return r;
}
