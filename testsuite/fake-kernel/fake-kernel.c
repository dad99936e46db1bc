// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fake-kernel: an LD_PRELOAD library that gives a test process a pretend
 * kernel inside a directory, so the tools can insert and remove modules
 * without root and without a kernel that supports modules.
 *
 * FAKE_KERNEL_ROOT=DIR
 *   Paths under /proc, /sys, /lib/modules and the modprobe.d / depmod.d
 *   directories are opened in DIR instead (DIR/proc/modules, ...), except the
 *   process's own /proc/self, /proc/thread-self and /proc/PID.
 *   syscall(SYS_finit_module / SYS_init_module / SYS_delete_module), and
 *   glibc's init_module() / delete_module() wrappers, never reach the
 *   kernel: each call is appended to DIR/syscalls.log as
 *     finit_module NAME "PARAMS" FLAGS
 *     init_module NAME "PARAMS"
 *     delete_module NAME O_NONBLOCK|O_TRUNC     (flag names, or 0)
 *   followed by " = ERRNONAME" when the call fails. NAME comes from the
 *   image's .gnu.linkonce.this_module, else its .modinfo name=, else (and
 *   always for a compressed file given to finit_module) the file's name;
 *   "?" when there is none. A successful insertion
 *   creates DIR/sys/module/NAME/{initstate,refcnt,holders/} and puts
 *   "NAME SIZE 0 - Live 0x0000000000000000" first in DIR/proc/modules (the
 *   kernel lists the newest module first); removal undoes both.
 *   The bytes given to init_module are saved as DIR/init_module/NAME.ko.
 *   Failures:
 *     DIR/fail/NAME: lines "ERRNO" (every call for NAME) or
 *       "SYSCALL ERRNO" (only that call), ERRNO a name (EEXIST) or a number;
 *     DIR/sys/module/NAME exists: insertion fails with EEXIST;
 *     compressed file and DIR/sys/module/compression absent or naming
 *       another format: finit_module fails (EOPNOTSUPP / ENOEXEC);
 *     non-empty holders/, or refcnt > 0 without O_TRUNC: delete_module
 *       fails with EWOULDBLOCK; not loaded: ENOENT.
 *   Without FAKE_KERNEL_ROOT nothing is redirected and the three module
 *   system calls fail with EPERM: they never reach the real kernel.
 * FAKE_KERNEL_RELEASE=KVER
 *   uname() reports KVER as the release.
 *
 * DIR itself must not lie under one of the redirected trees.
 */
#undef _FILE_OFFSET_BITS /* define open and open64 separately */
#undef _FORTIFY_SOURCE
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#define MODULE_INIT_COMPRESSED_FILE 4
#define MODULE_NAME_LEN 56 /* 64 - sizeof(unsigned long) */
#define MAX_MODULE_FILE ((size_t)512 << 20)

/* ------------------------------------------------------------ real libc */

static void *real_symbol(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);
	if (!p) {
		fprintf(stderr, "fake-kernel: %s not found: %s\n", name, dlerror());
		abort();
	}
	return p;
}

/* The next definition of FN after this library (libc's, usually). */
#define REAL(fn)                                                                  \
	({                                                                        \
		static __typeof__(&fn) real_;                                     \
		__typeof__(&fn) f_ = __atomic_load_n(&real_, __ATOMIC_ACQUIRE);   \
		if (!f_) {                                                        \
			f_ = (__typeof__(&fn))real_symbol(#fn);                   \
			__atomic_store_n(&real_, f_, __ATOMIC_RELEASE);           \
		}                                                                 \
		f_;                                                               \
	})

static const char *fake_root(void)
{
	const char *root = getenv("FAKE_KERNEL_ROOT");
	return root && root[0] ? root : NULL;
}

/* -------------------------------------------------------- path redirect */

static const char *const faked_trees[] = {
	"/proc",
	"/sys",
	"/lib/modules",
	"/etc/modprobe.d",
	"/run/modprobe.d",
	"/usr/lib/modprobe.d",
	"/usr/local/lib/modprobe.d",
	"/lib/modprobe.d",
	"/etc/depmod.d",
	"/run/depmod.d",
	"/usr/lib/depmod.d",
	"/usr/local/lib/depmod.d",
	"/lib/depmod.d",
};

static bool under(const char *path, const char *tree)
{
	size_t n = strlen(tree);
	return strncmp(path, tree, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* /proc/self, /proc/thread-self, /proc/PID: the process, not the kernel. */
static bool process_proc(const char *path)
{
	if (under(path, "/proc/self") || under(path, "/proc/thread-self"))
		return true;
	const char *p = path + strlen("/proc/");
	if (!under(path, "/proc") || path[5] != '/' || *p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '\0' || *p == '/';
}

/* PATH, or DIR+PATH in BUF when PATH is faked; NULL (errno set) when too long. */
static const char *redirect(const char *path, char *buf, size_t size)
{
	const char *root = fake_root();
	if (!root || !path || path[0] != '/' || process_proc(path))
		return path;
	for (size_t i = 0; i < sizeof(faked_trees) / sizeof(faked_trees[0]); i++) {
		if (!under(path, faked_trees[i]))
			continue;
		int n = snprintf(buf, size, "%s%s", root, path);
		if (n < 0 || (size_t)n >= size) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		return buf;
	}
	return path;
}

#define REDIRECT(path, fail)                                         \
	char buf_[PATH_MAX];                                         \
	const char *p_ = redirect(path, buf_, sizeof(buf_));         \
	if (!p_)                                                     \
		return fail

static mode_t mode_arg(int flags, va_list ap)
{
	bool has_mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
	return has_mode ? va_arg(ap, mode_t) : 0;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	REDIRECT(path, -1);
	return REAL(open)(p_, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	REDIRECT(path, -1);
	return REAL(open64)(p_, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	REDIRECT(path, -1);
	return REAL(openat)(dirfd, p_, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	REDIRECT(path, -1);
	return REAL(openat64)(dirfd, p_, flags, mode);
}

/* What fortified callers use instead of open/open64. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);

int __open_2(const char *path, int flags)
{
	REDIRECT(path, -1);
	return REAL(open)(p_, flags);
}

int __open64_2(const char *path, int flags)
{
	REDIRECT(path, -1);
	return REAL(open64)(p_, flags);
}

FILE *fopen(const char *path, const char *mode)
{
	REDIRECT(path, NULL);
	return REAL(fopen)(p_, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
	REDIRECT(path, NULL);
	return REAL(fopen64)(p_, mode);
}

int stat(const char *path, struct stat *st)
{
	REDIRECT(path, -1);
	return REAL(stat)(p_, st);
}

int stat64(const char *path, struct stat64 *st)
{
	REDIRECT(path, -1);
	return REAL(stat64)(p_, st);
}

int lstat(const char *path, struct stat *st)
{
	REDIRECT(path, -1);
	return REAL(lstat)(p_, st);
}

int lstat64(const char *path, struct stat64 *st)
{
	REDIRECT(path, -1);
	return REAL(lstat64)(p_, st);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	REDIRECT(path, -1);
	return REAL(fstatat)(dirfd, p_, st, flags);
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	REDIRECT(path, -1);
	return REAL(fstatat64)(dirfd, p_, st, flags);
}

DIR *opendir(const char *path)
{
	REDIRECT(path, NULL);
	return REAL(opendir)(p_);
}

int access(const char *path, int mode)
{
	REDIRECT(path, -1);
	return REAL(access)(p_, mode);
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
	REDIRECT(path, -1);
	return REAL(faccessat)(dirfd, p_, mode, flags);
}

ssize_t readlink(const char *path, char *out, size_t size)
{
	REDIRECT(path, -1);
	return REAL(readlink)(p_, out, size);
}

int uname(struct utsname *u)
{
	int r = REAL(uname)(u);
	const char *release = getenv("FAKE_KERNEL_RELEASE");
	if (r == 0 && release && release[0])
		snprintf(u->release, sizeof(u->release), "%s", release);
	return r;
}

/* ----------------------------------------------------- files in DIR */

/* DIR/FMT... into BUF; false when it does not fit. */
static bool root_path(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool root_path(char *buf, size_t size, const char *fmt, ...)
{
	int n = snprintf(buf, size, "%s/", fake_root());
	if (n < 0 || (size_t)n >= size)
		return false;
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(buf + n, size - (size_t)n, fmt, ap);
	va_end(ap);
	return m >= 0 && (size_t)m < size - (size_t)n;
}

static void mkdir_parents(const char *path)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		(void)mkdir(tmp, 0755);
		*p = '/';
	}
}

static bool write_text(const char *path, const void *data, size_t len)
{
	mkdir_parents(path);
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	bool ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok;
}

/* Whole file (NUL-terminated) or NULL; *len set when not NULL. */
static char *read_text(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while (mem && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(f);
	if (!mem || fclose(mem) != 0) {
		free(buf);
		return NULL;
	}
	if (ret_len)
		*ret_len = len;
	return buf;
}

static bool exists(const char *path)
{
	struct stat st;
	return REAL(stat)(path, &st) == 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* --------------------------------------------------------- errno names */

static int errno_from_text(const char *text)
{
	char *end;
	long v = strtol(text, &end, 10);
	if (end != text && *end == '\0' && v > 0 && v < 4096)
		return (int)v;
	if (strcmp(text, "EWOULDBLOCK") == 0)
		return EWOULDBLOCK;
	if (strcmp(text, "ENOTSUP") == 0)
		return ENOTSUP;
	for (int e = 1; e < 200; e++) {
		const char *name = strerrorname_np(e);
		if (name && strcmp(name, text) == 0)
			return e;
	}
	return 0;
}

static const char *errno_name(int e)
{
	const char *name = strerrorname_np(e);
	return name ? name : "E?";
}

/* The errno DIR/fail/NAME asks SYSCALL to fail with, or 0. */
static int injected_failure(const char *syscall_name, const char *module)
{
	char path[PATH_MAX];
	if (!root_path(path, sizeof(path), "fail/%s", module))
		return 0;
	char *text = read_text(path, NULL);
	if (!text)
		return 0;
	int err = 0;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line && !err;
	     line = strtok_r(NULL, "\n", &save)) {
		char first[64], second[64];
		int n = sscanf(line, "%63s %63s", first, second);
		const char *value = NULL;
		if (n == 1)
			value = first;
		else if (n == 2 && strcmp(first, syscall_name) == 0)
			value = second;
		if (!value)
			continue;
		err = errno_from_text(value);
		if (!err) {
			fprintf(stderr, "fake-kernel: %s: bad errno '%s'\n", path, value);
			err = EINVAL;
		}
	}
	free(text);
	return err;
}

/* ----------------------------------------------------- syscalls.log */

static void log_call(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_call(int err, const char *fmt, ...)
{
	char path[PATH_MAX];
	if (!root_path(path, sizeof(path), "syscalls.log"))
		return;
	mkdir_parents(path);
	FILE *f = fopen(path, "a");
	if (!f)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(f, " = %s", errno_name(err));
	fputc('\n', f);
	fclose(f);
}

/* ------------------------------------------------------ module state */

static bool module_name_ok(const char *name)
{
	return name[0] != '\0' && !strchr(name, '/') && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

/* /proc/modules without NAME's line, and with LINE first when not NULL. */
static int rewrite_proc_modules(const char *name, const char *line)
{
	char path[PATH_MAX];
	if (!root_path(path, sizeof(path), "proc/modules"))
		return ENAMETOOLONG;
	size_t len = 0;
	char *old = read_text(path, &len);
	char *out = NULL;
	size_t out_len = 0;
	FILE *mem = open_memstream(&out, &out_len);
	if (!mem) {
		free(old);
		return ENOMEM;
	}
	if (line)
		fputs(line, mem);
	size_t name_len = strlen(name);
	for (char *p = old; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
		bool same = strncmp(p, name, name_len) == 0 && p[name_len] == ' ';
		if (!same)
			fwrite(p, 1, n, mem);
		p += n;
	}
	free(old);
	fclose(mem);
	bool ok = write_text(path, out, out_len);
	free(out);
	return ok ? 0 : EIO;
}

static int load_module(const char *name, size_t size)
{
	char path[PATH_MAX];
	if (!root_path(path, sizeof(path), "sys/module/%s/holders/", name))
		return ENAMETOOLONG;
	mkdir_parents(path);
	if (!root_path(path, sizeof(path), "sys/module/%s/initstate", name) ||
	    !write_text(path, "live\n", 5))
		return EIO;
	if (!root_path(path, sizeof(path), "sys/module/%s/refcnt", name) ||
	    !write_text(path, "0\n", 2))
		return EIO;
	char line[256];
	snprintf(line, sizeof(line), "%s %zu 0 - Live 0x0000000000000000\n", name, size);
	return rewrite_proc_modules(name, line);
}

static bool module_present(const char *name)
{
	char path[PATH_MAX];
	return root_path(path, sizeof(path), "sys/module/%s", name) && exists(path);
}

/* ---------------------------------------------------- module images */

static uint64_t get_uint(const uint8_t *p, unsigned width, bool big_endian)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < width; i++) {
		unsigned byte = big_endian ? i : width - 1 - i; /* most significant first */
		v = v << 8 | p[byte];
	}
	return v;
}

static bool fits(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* Copies the string at D[OFF..OFF+MAX) into NAME when it ends inside. */
static bool copy_name(const uint8_t *d, uint64_t off, uint64_t max, char *name, size_t size)
{
	const uint8_t *nul = memchr(d + off, '\0', max);
	if (!nul || nul == d + off || (size_t)(nul - (d + off)) >= size)
		return false;
	memcpy(name, d + off, (size_t)(nul - (d + off)) + 1);
	return module_name_ok(name);
}

/*
 * The module's name from an ELF image: .gnu.linkonce.this_module (struct
 * module's name field, at 24 on ELF64 and 12 on ELF32, as on x86), or the
 * name= entry of .modinfo. Every offset is checked.
 */
static bool elf_module_name(const uint8_t *d, size_t size, char *name, size_t name_size)
{
	if (size < 52 || memcmp(d, "\177ELF", 4) != 0 || (d[4] != 1 && d[4] != 2) ||
	    (d[5] != 1 && d[5] != 2))
		return false;
	bool is64 = d[4] == 2, be = d[5] == 2;
	unsigned w = is64 ? 8 : 4;
	if (is64 && size < 64)
		return false;
	uint64_t shoff = get_uint(d + (is64 ? 40 : 32), w, be);
	uint64_t shentsize = get_uint(d + (is64 ? 58 : 46), 2, be);
	uint64_t shnum = get_uint(d + (is64 ? 60 : 48), 2, be);
	uint64_t shstrndx = get_uint(d + (is64 ? 62 : 50), 2, be);
	if (shentsize < (is64 ? 64u : 40u) || shstrndx >= shnum ||
	    !fits(shoff, shnum * shentsize, size))
		return false;
#define SH(i) (d + shoff + (i) * shentsize)
	uint64_t str_off = get_uint(SH(shstrndx) + (is64 ? 24 : 16), w, be);
	uint64_t str_size = get_uint(SH(shstrndx) + (is64 ? 32 : 20), w, be);
	if (!fits(str_off, str_size, size))
		return false;
	uint64_t modinfo_off = 0, modinfo_size = 0;
	for (uint64_t i = 1; i < shnum; i++) {
		uint64_t sname = get_uint(SH(i), 4, be);
		uint64_t off = get_uint(SH(i) + (is64 ? 24 : 16), w, be);
		uint64_t len = get_uint(SH(i) + (is64 ? 32 : 20), w, be);
		if (sname >= str_size || !fits(off, len, size))
			continue;
		const char *sn = (const char *)d + str_off + sname;
		if (!memchr(sn, '\0', str_size - sname))
			continue;
		uint64_t name_off = is64 ? 24 : 12;
		if (strcmp(sn, ".gnu.linkonce.this_module") == 0 && len > name_off &&
		    copy_name(d, off + name_off, len - name_off, name, name_size))
			return true;
		if (strcmp(sn, ".modinfo") == 0) {
			modinfo_off = off;
			modinfo_size = len;
		}
	}
#undef SH
	for (uint64_t p = 0; p < modinfo_size;) {
		const uint8_t *s = d + modinfo_off + p;
		const uint8_t *nul = memchr(s, '\0', modinfo_size - p);
		if (!nul)
			break;
		if (nul - s > 5 && memcmp(s, "name=", 5) == 0 &&
		    copy_name(d, modinfo_off + p + 5, (uint64_t)(nul - s) - 4, name, name_size))
			return true;
		p += (uint64_t)(nul - s) + 1;
	}
	return false;
}

/* Module name from a file name: basename up to the first '.', '-' -> '_'. */
static bool name_from_fd(int fd, char *name, size_t size)
{
	char link[64], target[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = REAL(readlink)(link, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	const char *base = strrchr(target, '/');
	base = base ? base + 1 : target;
	size_t len = strcspn(base, ".");
	if (len == 0 || len >= size)
		return false;
	for (size_t i = 0; i < len; i++)
		name[i] = base[i] == '-' ? '_' : base[i];
	name[len] = '\0';
	return module_name_ok(name);
}

static const char *compression_of(const uint8_t *d, size_t size)
{
	if (size >= 6 && memcmp(d, "\xfd" "7zXZ\0", 6) == 0)
		return "xz";
	if (size >= 4 && memcmp(d, "\x28\xb5\x2f\xfd", 4) == 0)
		return "zstd";
	if (size >= 2 && memcmp(d, "\x1f\x8b", 2) == 0)
		return "gzip";
	return NULL;
}

/* What the kernel's decompressor is, from DIR/sys/module/compression. */
static bool kernel_compression(char *out, size_t size)
{
	char path[PATH_MAX];
	if (!root_path(path, sizeof(path), "sys/module/compression"))
		return false;
	char *text = read_text(path, NULL);
	if (!text)
		return false;
	text[strcspn(text, "\n")] = '\0';
	snprintf(out, size, "%s", text);
	free(text);
	return true;
}

static uint8_t *read_fd(int fd, size_t *ret_size, int *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*err = EBADF;
		return NULL;
	}
	if ((uint64_t)st.st_size > MAX_MODULE_FILE) {
		*err = EFBIG;
		return NULL;
	}
	size_t size = (size_t)st.st_size;
	uint8_t *buf = malloc(size ? size : 1);
	size_t done = 0;
	while (buf && done < size) {
		ssize_t n = pread(fd, buf + done, size - done, (off_t)done);
		if (n <= 0) {
			free(buf);
			*err = EIO;
			return NULL;
		}
		done += (size_t)n;
	}
	if (!buf)
		*err = ENOMEM;
	*ret_size = size;
	return buf;
}

/* ---------------------------------------------------- fake syscalls */

/* What the kernel would check before loading: 0 or an errno; sets NAME. */
static int finit_inspect(int fd, const char *params, int flags, char *name, size_t name_size,
			 size_t *ret_size)
{
	int err = 0;
	size_t size = 0;
	uint8_t *data = read_fd(fd, &size, &err);
	if (!data)
		return err;
	const char *comp = compression_of(data, size);
	if (comp) {
		char kernel[32];
		if (!name_from_fd(fd, name, name_size))
			err = ENOEXEC;
		else if (!(flags & MODULE_INIT_COMPRESSED_FILE))
			err = ENOEXEC;
		else if (!kernel_compression(kernel, sizeof(kernel)))
			err = EOPNOTSUPP;
		else if (strcmp(kernel, comp) != 0)
			err = ENOEXEC;
	} else if (flags & MODULE_INIT_COMPRESSED_FILE) {
		(void)name_from_fd(fd, name, name_size);
		err = EINVAL;
	} else if (size < 4 || memcmp(data, "\177ELF", 4) != 0) {
		err = ENOEXEC;
	} else if (!elf_module_name(data, size, name, name_size) &&
		   !name_from_fd(fd, name, name_size)) {
		err = ENOEXEC;
	}
	free(data);
	if (!err && !params)
		err = EFAULT;
	if (!err && (flags & ~7))
		err = EINVAL;
	*ret_size = size;
	return err;
}

static int fake_finit_module(int fd, const char *params, int flags)
{
	char name[MODULE_NAME_LEN] = "?";
	size_t size = 0;
	int err = finit_inspect(fd, params, flags, name, sizeof(name), &size);
	if (!err)
		err = injected_failure("finit_module", name);
	if (!err && module_present(name))
		err = EEXIST;
	if (!err)
		err = load_module(name, size);
	log_call(err, "finit_module %s \"%s\" %d", name, params ? params : "", flags);
	return err;
}

static int fake_init_module(const void *image, unsigned long size, const char *params)
{
	char name[MODULE_NAME_LEN] = "?";
	int err = 0;
	if (!image || !params)
		err = EFAULT;
	else if (!elf_module_name(image, size, name, sizeof(name)))
		err = ENOEXEC;
	if (!err) {
		char path[PATH_MAX];
		if (root_path(path, sizeof(path), "init_module/%s.ko", name))
			(void)write_text(path, image, size);
		err = injected_failure("init_module", name);
	}
	if (!err && module_present(name))
		err = EEXIST;
	if (!err)
		err = load_module(name, size);
	log_call(err, "init_module %s \"%s\"", name, params ? params : "");
	return err;
}

static int fake_delete_module(const char *name, unsigned int flags)
{
	char path[PATH_MAX], text[32];
	int err = 0;
	if (!name)
		return EFAULT;
	if (!module_name_ok(name) || (flags & ~(unsigned)(O_NONBLOCK | O_TRUNC)))
		err = EINVAL;
	if (!err)
		err = injected_failure("delete_module", name);
	if (!err) {
		/* Built-in modules (no initstate) cannot be removed either. */
		char *state = root_path(path, sizeof(path), "sys/module/%s/initstate", name)
				      ? read_text(path, NULL)
				      : NULL;
		if (!state)
			err = ENOENT;
		else if (strcmp(state, "live\n") != 0)
			err = EBUSY;
		free(state);
	}
	if (!err && root_path(path, sizeof(path), "sys/module/%s/holders", name)) {
		DIR *d = REAL(opendir)(path);
		struct dirent *de;
		while (d && (de = readdir(d)))
			if (de->d_name[0] != '.')
				err = EWOULDBLOCK;
		if (d)
			closedir(d);
	}
	if (!err && !(flags & O_TRUNC) &&
	    root_path(path, sizeof(path), "sys/module/%s/refcnt", name)) {
		char *refcnt = read_text(path, NULL);
		if (refcnt && atoi(refcnt) > 0)
			err = EWOULDBLOCK;
		free(refcnt);
	}
	if (!err) {
		if (root_path(path, sizeof(path), "sys/module/%s", name))
			(void)nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
		err = rewrite_proc_modules(name, NULL);
	}
	snprintf(text, sizeof(text), "%s%s%s", flags & O_NONBLOCK ? "O_NONBLOCK" : "",
		 (flags & O_NONBLOCK) && (flags & O_TRUNC) ? "|" : "",
		 flags & O_TRUNC ? "O_TRUNC" : "");
	if (flags & ~(unsigned)(O_NONBLOCK | O_TRUNC))
		snprintf(text, sizeof(text), "%#x", flags);
	log_call(err, "delete_module %s %s", name, text[0] ? text : "0");
	return err;
}

static long syscall_result(int err)
{
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* glibc's wrappers, which other programs (the reference kmod) call directly. */
int init_module(void *image, unsigned long size, const char *params);
int delete_module(const char *name, unsigned int flags);

int init_module(void *image, unsigned long size, const char *params)
{
	return (int)syscall_result(fake_root() ? fake_init_module(image, size, params) : EPERM);
}

int delete_module(const char *name, unsigned int flags)
{
	return (int)syscall_result(fake_root() ? fake_delete_module(name, flags) : EPERM);
}

long syscall(long number, ...)
{
	/* Like libc's own syscall(): take six arguments whatever the call. */
	va_list ap;
	va_start(ap, number);
	long a[6];
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);

	int err;
	switch (number) {
	case SYS_finit_module:
		err = fake_root() ? fake_finit_module((int)a[0], (const char *)a[1], (int)a[2])
				  : EPERM;
		break;
	case SYS_init_module:
		err = fake_root() ? fake_init_module((const void *)a[0], (unsigned long)a[1],
						     (const char *)a[2])
				  : EPERM;
		break;
	case SYS_delete_module:
		err = fake_root() ? fake_delete_module((const char *)a[0], (unsigned int)a[1])
				  : EPERM;
		break;
	default:
		return REAL(syscall)(number, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	return syscall_result(err);
}
