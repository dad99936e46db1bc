// SPDX-License-Identifier: LGPL-2.1-or-later
/* Small helpers: growable arrays and buffers, whole-file reads, directories,
 * an arena. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmodlite-private.h"

int array_grow(void **array, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap < 8 ? 16 : *cap * 2, bytes;
	if (ncap < need || ncap < *cap)
		ncap = need;
	if (__builtin_mul_overflow(ncap, elem, &bytes)) {
		/* doubling went too far: exactly what was asked for, if that fits */
		ncap = need;
		if (__builtin_mul_overflow(ncap, elem, &bytes))
			return -ENOMEM;
	}
	void *p = realloc(*array, bytes ? bytes : 1);
	if (!p)
		return -ENOMEM;
	*array = p;
	*cap = ncap;
	return 0;
}

int mkdir_parents(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	int r = 0;
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			r = -errno;
		*p = '/';
		if (r < 0)
			break;
	}
	free(copy);
	return r;
}

int strbuf_reserve(struct strbuf *sb, size_t extra)
{
	size_t need;
	if (__builtin_add_overflow(sb->len, extra, &need) || need == SIZE_MAX)
		return -ENOMEM;
	if (need < sb->cap)
		return 0;
	int r = ARRAY_GROW(sb->data, sb->cap, need + 1); /* and a terminating NUL */
	if (r < 0)
		return r;
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

int strbuf_append_grow(struct strbuf *sb, const void *data, size_t len)
{
	int r = strbuf_reserve(sb, len);
	if (r < 0)
		return r;
	memcpy(sb->data + sb->len, data, len);
	sb->len += len;
	sb->data[sb->len] = '\0';
	return 0;
}

int read_fd_full(int fd, size_t max, char **ret_buf, size_t *ret_len)
{
	struct strbuf sb = { 0 };
	struct stat st;
	/* a regular file's size and one byte more, so that the end is seen
	 * without growing the buffer; else 64 KiB to start with */
	size_t first = 65536;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		if ((uint64_t)st.st_size > max)
			return -EFBIG;
		first = (size_t)st.st_size + 1;
	}
	int r = strbuf_reserve(&sb, first);
	if (r < 0)
		return r;
	for (;;) {
		if (sb.len + 1 >= sb.cap) { /* full: double it */
			r = strbuf_reserve(&sb, sb.cap);
			if (r < 0)
				goto out;
		}
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

char *path_join(const char *dir, const char *name, size_t name_len)
{
	size_t dl = dir ? strlen(dir) + 1 : 0;
	if (name_len > SIZE_MAX - dl - 1)
		return NULL;
	char *p = malloc(dl + name_len + 1);
	if (!p)
		return NULL;
	if (dir) {
		memcpy(p, dir, dl - 1);
		p[dl - 1] = '/';
	}
	memcpy(p + dl, name, name_len);
	p[dl + name_len] = '\0';
	return p;
}

/* ------------------------------------------------------------ arena */

#define ARENA_ALIGN 16
#define ARENA_BLOCK_SIZE 4096

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_owned {
	struct arena_owned *next;
	void *p;
};

void *arena_alloc(struct arena *a, size_t size)
{
	size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need < size)
		return NULL;
	struct arena_block *b = a->blocks;
	if (!b || b->cap - b->used < need) {
		size_t cap = need > ARENA_BLOCK_SIZE ? need : ARENA_BLOCK_SIZE;
		if (cap > SIZE_MAX - sizeof(*b))
			return NULL;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->used = 0;
		b->cap = cap;
		/* a big allocation gets a block of its own behind the current
		 * one, so the current block's free room is not wasted */
		if (a->blocks && cap > ARENA_BLOCK_SIZE) {
			b->next = a->blocks->next;
			a->blocks->next = b;
		} else {
			b->next = a->blocks;
			a->blocks = b;
		}
	}
	void *p = b->data + b->used;
	b->used += need;
	return memset(p, 0, size);
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return NULL;
	char *p = arena_alloc(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

int arena_own(struct arena *a, void *p)
{
	struct arena_owned *o = arena_alloc(a, sizeof(*o));
	if (!o) {
		free(p);
		return -ENOMEM;
	}
	o->p = p;
	o->next = a->owned;
	a->owned = o;
	return 0;
}

void arena_release(struct arena *a)
{
	/* the owned list lives in the blocks: walk it first */
	for (struct arena_owned *o = a->owned; o; o = o->next)
		free(o->p);
	for (struct arena_block *b = a->blocks, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	a->blocks = NULL;
	a->owned = NULL;
}
