// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The running kernel: with kernel-params.c (module parameters), the only
 * file of the library that reads /proc and /sys or makes module system calls. The three module system calls go through
 * syscall(2), so a test shim interposing that one function sees them all.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "adapter-support.h"

/* Kernel flags of finit_module(2), from <linux/module.h>. */
#define MODULE_INIT_IGNORE_MODVERSIONS 1
#define MODULE_INIT_IGNORE_VERMAGIC 2
#define MODULE_INIT_COMPRESSED_FILE 4

#define SYS_MODULE "/sys/module"
#define PROC_MODULES "/proc/modules"
#define PROC_CMDLINE "/proc/cmdline"
#define SYS_COMPRESSION SYS_MODULE "/compression"

/* /proc/modules grows with the number of modules; this is far above any real one. */
#define PROC_MODULES_MAX ((size_t)64 << 20)
#define CMDLINE_MAX ((size_t)1 << 20)

/* A module name usable as one component of a /sys/module path. */
static bool name_ok(const char *name)
{
	return name && name[0] != '\0' && !strchr(name, '/') && !streq(name, ".") &&
	       !streq(name, "..") && strlen(name) < NAME_MAX;
}

bool kml_kernel_has_sys_module(void)
{
	struct stat st;
	return stat(SYS_MODULE, &st) == 0 && S_ISDIR(st.st_mode);
}

/* "/sys/module/NAME[/LEAF]" into BUF. */
static int sys_module_path(char *buf, size_t size, const char *name, const char *leaf)
{
	if (!name_ok(name))
		return -EINVAL;
	int n = leaf ? snprintf(buf, size, SYS_MODULE "/%s/%s", name, leaf)
		     : snprintf(buf, size, SYS_MODULE "/%s", name);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Reads a small attribute file (sysfs reports a size of 4096 for every
 * attribute, so the file's size says nothing) into BUF, NUL-terminated,
 * trailing whitespace removed. -EFBIG when it does not fit.
 */
static int read_attribute(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = 0;
	int r = 0;
	for (;;) {
		if (len == size - 1) {
			char extra;
			ssize_t n = read(fd, &extra, 1);
			if (n > 0)
				r = -EFBIG;
			else if (n < 0)
				r = -errno;
			break;
		}
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (r < 0)
		return r;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	buf[len] = '\0';
	return 0;
}

/* Decimal int filling the whole of S (optionally signed). */
static bool parse_int(const char *s, int *ret)
{
	if (*s == '\0')
		return false;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < INT_MIN || v > INT_MAX)
		return false;
	*ret = (int)v;
	return true;
}

int kml_kernel_module_state(const char *name, enum kml_module_state *ret_state)
{
	char path[PATH_MAX];
	int r = sys_module_path(path, sizeof(path), name, "initstate");
	if (r < 0)
		return r;
	char text[32];
	r = read_attribute(path, text, sizeof(text));
	if (r == -ENOENT) {
		/* No initstate: a built-in module when the directory exists. */
		struct stat st;
		(void)sys_module_path(path, sizeof(path), name, NULL);
		if (stat(path, &st) < 0) {
			if (errno != ENOENT)
				return -errno;
			*ret_state = KML_STATE_NOT_LOADED;
		} else if (S_ISDIR(st.st_mode)) {
			*ret_state = KML_STATE_BUILTIN;
		} else {
			*ret_state = KML_STATE_NOT_LOADED;
		}
		return 0;
	}
	if (r < 0)
		return r == -EFBIG ? -EBADMSG : r;
	if (streq(text, "live"))
		*ret_state = KML_STATE_LIVE;
	else if (streq(text, "coming"))
		*ret_state = KML_STATE_COMING;
	else if (streq(text, "going"))
		*ret_state = KML_STATE_GOING;
	else
		return -EBADMSG;
	return 0;
}

int kml_kernel_module_refcount(const char *name, int *ret_refcount)
{
	char path[PATH_MAX];
	int r = sys_module_path(path, sizeof(path), name, "refcnt");
	if (r < 0)
		return r;
	char text[32];
	r = read_attribute(path, text, sizeof(text));
	if (r < 0)
		return r == -EFBIG ? -EBADMSG : r;
	int v;
	if (!parse_int(text, &v))
		return -EBADMSG;
	*ret_refcount = v;
	return 0;
}

static void free_strings(char **strings, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(strings[i]);
	free(strings);
}

int kml_kernel_module_holders(const char *name, char ***ret_holders, size_t *ret_count)
{
	char path[PATH_MAX];
	int r = sys_module_path(path, sizeof(path), name, "holders");
	if (r < 0)
		return r;
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	char **names = NULL;
	size_t count = 0, cap = 0;
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			r = -errno;
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		r = ARRAY_GROW(names, cap, count + 1);
		if (r < 0)
			break;
		names[count] = strdup(de->d_name);
		if (!names[count]) {
			r = -ENOMEM;
			break;
		}
		count++;
	}
	closedir(d);
	if (r < 0) {
		free_strings(names, count);
		return r;
	}
	/* kept in the kernel's directory order: what lsmod prints, as the reference */
	*ret_holders = names;
	*ret_count = count;
	return 0;
}

/* Next field of a /proc/modules line: skips blanks, cuts at the next blank. */
static char *next_field(char **cursor)
{
	char *p = *cursor;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return NULL;
	char *start = p;
	while (*p != '\0' && *p != ' ' && *p != '\t')
		p++;
	if (*p != '\0')
		*p++ = '\0';
	*cursor = p;
	return start;
}

static void loaded_module_release(struct kml_loaded_module *m)
{
	free(m->name);
	free(m->holders);
	free(m->state);
}

/*
 * One line "NAME SIZE REFCNT HOLDERS STATE ADDR [TAINTS]" (modified in
 * place). Returns 1 and fills *m, 0 for a malformed line, -ENOMEM.
 */
static int parse_proc_modules_line(char *line, struct kml_loaded_module *m)
{
	char *cursor = line;
	char *name = next_field(&cursor);
	char *size = next_field(&cursor);
	char *refcnt = next_field(&cursor);
	char *holders = next_field(&cursor);
	char *state = next_field(&cursor);
	if (!name || !size || !refcnt || !holders || !state)
		return 0;

	char *end;
	if (size[0] < '0' || size[0] > '9')
		return 0;
	errno = 0;
	unsigned long sz = strtoul(size, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;

	int rc;
	if (streq(refcnt, "-"))
		rc = -1;
	else if (!parse_int(refcnt, &rc))
		return 0;

	size_t hlen;
	if (streq(holders, "-")) {
		hlen = 0;
	} else {
		/* "a,b," as the kernel writes it; the last ',' is dropped */
		hlen = strlen(holders);
		if (holders[hlen - 1] == ',')
			hlen--;
	}

	*m = (struct kml_loaded_module){
		.name = strdup(name),
		.size = sz,
		.refcount = rc,
		.holders = strndup(holders, hlen),
		.state = strdup(state),
	};
	if (!m->name || !m->holders || !m->state) {
		loaded_module_release(m);
		return -ENOMEM;
	}
	return 1;
}

int kml_kernel_list_modules(struct kml_loaded_module **ret_modules, size_t *ret_count)
{
	char *text = NULL;
	size_t len = 0;
	int r = read_file_full(PROC_MODULES, PROC_MODULES_MAX, &text, &len);
	if (r < 0)
		return r;

	struct kml_loaded_module *mods = NULL;
	size_t count = 0, cap = 0;
	char *p = text, *end = text + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line_end = nl ? nl : end;
		*line_end = '\0';
		/* A NUL inside the line would hide the rest of it: skip the line. */
		bool clean = strlen(p) == (size_t)(line_end - p);
		char *line = p;
		p = line_end + 1;
		if (!clean)
			continue;
		struct kml_loaded_module m;
		r = parse_proc_modules_line(line, &m);
		if (r < 0)
			break;
		if (r == 0)
			continue;
		r = ARRAY_GROW(mods, cap, count + 1);
		if (r < 0) {
			loaded_module_release(&m);
			break;
		}
		mods[count++] = m;
		r = 0;
	}
	free(text);
	if (r < 0) {
		kml_kernel_free_module_list(mods, count);
		return r;
	}
	*ret_modules = mods;
	*ret_count = count;
	return 0;
}

void kml_kernel_free_module_list(struct kml_loaded_module *modules, size_t count)
{
	if (!modules)
		return;
	for (size_t i = 0; i < count; i++)
		loaded_module_release(&modules[i]);
	free(modules);
}

int kml_kernel_read_cmdline(char **ret_text)
{
	char *text = NULL;
	size_t len = 0;
	int r = read_file_full(PROC_CMDLINE, CMDLINE_MAX, &text, &len);
	if (r < 0)
		return r;
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	*ret_text = text;
	return 0;
}

/* Whether the kernel decompresses modules of format C itself (finit_module
 * with MODULE_INIT_COMPRESSED_FILE); it names the one it knows in sysfs. */
static bool kernel_decompresses(enum kml_compression c)
{
	char text[32];
	if (read_attribute(SYS_COMPRESSION, text, sizeof(text)) < 0)
		return false;
	return streq(text, kml_compression_name(c));
}

static unsigned int kernel_flags(unsigned int flags)
{
	unsigned int k = 0;
	if (flags & KML_INSERT_FORCE_MODVERSION)
		k |= MODULE_INIT_IGNORE_MODVERSIONS;
	if (flags & KML_INSERT_FORCE_VERMAGIC)
		k |= MODULE_INIT_IGNORE_VERMAGIC;
	return k;
}

static int sys_finit_module(int fd, const char *params, unsigned int flags)
{
#ifdef SYS_finit_module
	return syscall(SYS_finit_module, fd, params, flags) < 0 ? -errno : 0;
#else
	return -ENOSYS;
#endif
}

static int sys_init_module(const void *image, size_t size, const char *params)
{
	return syscall(SYS_init_module, image, (unsigned long)size, params) < 0 ? -errno : 0;
}

static int sys_delete_module(const char *name, unsigned int flags)
{
	return syscall(SYS_delete_module, name, flags) < 0 ? -errno : 0;
}

#define KNOWN_INSERT_FLAGS (KML_INSERT_FORCE_MODVERSION | KML_INSERT_FORCE_VERMAGIC)

int kml_kernel_insert_image(const void *image, size_t size, const char *params,
			    unsigned int flags)
{
	if (!image || (flags & ~KNOWN_INSERT_FLAGS))
		return -EINVAL;
	if (!params)
		params = "";

	/* The kernel takes only plain ELF through init_module. */
	struct kml_file *file = NULL;
	if (kml_compression_detect(image, size) != KML_COMPRESSION_NONE) {
		int r = kml_file_from_memory(image, size, &file);
		if (r < 0)
			return r;
		image = kml_file_data(file);
		size = kml_file_size(file);
	}

	int r;
	if (flags == 0) {
		r = sys_init_module(image, size, params);
	} else {
		/* Forcing: strip a private copy, never the caller's bytes. */
		uint8_t *copy = malloc(size ? size : 1);
		if (!copy) {
			kml_file_free(file);
			return -ENOMEM;
		}
		memcpy(copy, image, size);
		r = elf_strip_for_force(copy, size, flags);
		if (r == 0)
			r = sys_init_module(copy, size, params);
		free(copy);
	}
	kml_file_free(file);
	return r;
}

int kml_kernel_insert(const char *path, const char *params, unsigned int flags)
{
	if (!path || (flags & ~KNOWN_INSERT_FLAGS))
		return -EINVAL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	uint8_t magic[8];
	ssize_t n;
	do
		n = pread(fd, magic, sizeof(magic), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	enum kml_compression c = kml_compression_detect(magic, (size_t)n);

	if (c == KML_COMPRESSION_NONE || kernel_decompresses(c)) {
		unsigned int kflags = kernel_flags(flags);
		if (c != KML_COMPRESSION_NONE)
			kflags |= MODULE_INIT_COMPRESSED_FILE;
		int r = sys_finit_module(fd, params ? params : "", kflags);
		if (r != -ENOSYS) {
			close(fd);
			return r;
		}
	}
	close(fd);

	/* The kernel cannot read this file itself: decompress it here. */
	struct kml_file *file;
	int r = kml_file_open(path, &file);
	if (r < 0)
		return r;
	r = kml_kernel_insert_image(kml_file_data(file), kml_file_size(file), params, flags);
	kml_file_free(file);
	return r;
}

int kml_kernel_remove(const char *name, bool force)
{
	if (!name || name[0] == '\0')
		return -EINVAL;
	return sys_delete_module(name, O_NONBLOCK | (force ? O_TRUNC : 0));
}

/* ------------------------------------------ for the libkmod adapter */

int kml_kernel_module_size(const char *name, long *ret_size)
{
	char path[PATH_MAX];
	int r = sys_module_path(path, sizeof(path), name, NULL);
	if (r < 0)
		return r;
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	r = sys_module_path(path, sizeof(path), name, "coresize");
	if (r < 0)
		return r;
	char text[32];
	r = read_attribute(path, text, sizeof(text));
	if (r == -ENOENT)
		return -ENODATA;
	if (r < 0)
		return r == -EFBIG ? -EBADMSG : r;
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || end == text || v < 0)
		return -EBADMSG;
	*ret_size = v;
	return 0;
}

int kml_kernel_module_sections(const char *name, struct kml_section **ret_sections,
			       size_t *ret_count)
{
	char dir[PATH_MAX];
	int r = sys_module_path(dir, sizeof(dir), name, "sections");
	if (r < 0)
		return r;
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	struct kml_section *secs = NULL;
	size_t count = 0, cap = 0;
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			r = -errno;
			break;
		}
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		char path[PATH_MAX], text[64];
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		/* unreadable without privileges: skipped, as is a non-number */
		if (read_attribute(path, text, sizeof(text)) < 0)
			continue;
		char *end;
		errno = 0;
		unsigned long addr = strtoul(text, &end, 16);
		if (errno != 0 || end == text || *end != '\0')
			continue;
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct kml_section *n = reallocarray(secs, ncap, sizeof(*secs));
			if (!n) {
				r = -ENOMEM;
				break;
			}
			secs = n;
			cap = ncap;
		}
		secs[count].name = strdup(de->d_name);
		if (!secs[count].name) {
			r = -ENOMEM;
			break;
		}
		secs[count++].address = addr;
	}
	closedir(d);
	if (r < 0) {
		for (size_t i = 0; i < count; i++)
			free(secs[i].name);
		free(secs);
		return r;
	}
	*ret_sections = secs;
	*ret_count = count;
	return 0;
}
