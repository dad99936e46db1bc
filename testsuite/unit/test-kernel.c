// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The running kernel (kernel.c), against the fake kernel: meson runs this test
 * with testsuite/fake-kernel preloaded, and each test points
 * FAKE_KERNEL_ROOT at a fresh directory holding the pretend /proc and /sys.
 * Module system calls are then recorded in ROOT/syscalls.log, and the bytes
 * given to init_module saved as ROOT/init_module/NAME.ko.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "elf-writer.h"
#include "kmodlite-private.h"

static char root[] = "/tmp/kml-test-kernel-root-XXXXXX";
static char mods[] = "/tmp/kml-test-kernel-mods-XXXXXX";

/* ------------------------------------------------------------ helpers */

/* Writes ROOT/REL (parents created). */
static void put(const char *rel, const char *text)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir_parents(path), 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static void put_dir(const char *rel)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s/", root, rel);
	assert_int_equal(mkdir_parents(path), 0);
}

/* ROOT/REL's bytes (NUL-terminated, malloc'd), or NULL when absent. */
static char *slurp(const char *rel, size_t *ret_len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	char *buf = NULL;
	size_t len = 0;
	if (read_file_full(path, 1 << 26, &buf, &len) < 0)
		return NULL;
	if (ret_len)
		*ret_len = len;
	return buf;
}

static bool root_has(const char *rel)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return access(path, F_OK) == 0;
}

static void assert_log(const char *expected)
{
	char *log = slurp("syscalls.log", NULL);
	if (!log)
		log = strdup("");
	assert_string_equal(log, expected);
	free(log);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void remove_tree(const char *path)
{
	(void)nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static bool have_command(const char *cmd)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "command -v %s >/dev/null 2>&1", cmd);
	return system(buf) == 0;
}

static bool built_with(enum kml_compression c)
{
	switch (c) {
	case KML_COMPRESSION_GZIP:
		return ENABLE_ZLIB;
	case KML_COMPRESSION_XZ:
		return ENABLE_XZ;
	case KML_COMPRESSION_ZSTD:
		return ENABLE_ZSTD;
	default:
		return true;
	}
}

/* ------------------------------------------------------------ modules */

static const char vermagic[] = "vermagic=6.1.0-99-amd64 SMP preempt mod_unload modversions ";

/* A module called NAME with modinfo (incl. vermagic), __versions and
 * .gnu.linkonce.this_module. */
static struct elfw *module_writer(const char *name, int elf_class, bool big_endian)
{
	struct elfw *w = elfw_new(elf_class, big_endian, ELFW_EM_X86_64);
	assert_non_null(w);
	char name_entry[64];
	snprintf(name_entry, sizeof(name_entry), "name=%s", name);
	const char *info[] = { "license=GPL", vermagic, name_entry, "depends=" };
	assert_true(elfw_add_modinfo(w, info, ARRAY_SIZE(info), 0) > 0);
	const struct elfw_version versions[] = {
		{ 0x12345678, "module_layout" },
		{ 0x9abcdef0, "printk" },
	};
	assert_true(elfw_add_versions(w, versions, ARRAY_SIZE(versions)) > 0);
	assert_true(elfw_add_this_module(w, name) > 0);
	assert_int_equal(elfw_add_import(w, "printk", false), 0);
	return w;
}

/* Writes MODS/NAME.ko; returns its path (static buffer). */
static const char *write_module(const char *name)
{
	static char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s.ko", mods, name);
	struct elfw *w = module_writer(name, 64, false);
	assert_int_equal(elfw_write_file(w, path), 0);
	elfw_free(w);
	return path;
}

static char *read_module(const char *path, size_t *ret_len)
{
	char *buf = NULL;
	assert_int_equal(read_file_full(path, 1 << 26, &buf, ret_len), 0);
	return buf;
}

struct compressor {
	enum kml_compression type;
	const char *command;
	const char *suffix;
};

static const struct compressor compressors[] = {
	{ KML_COMPRESSION_XZ, "xz --check=crc32 --lzma2=dict=1MiB -c", "xz" },
	{ KML_COMPRESSION_ZSTD, "zstd -q -c", "zst" },
	{ KML_COMPRESSION_GZIP, "gzip -c", "gz" },
};

/* MODS/NAME.ko.SUFFIX from MODS/NAME.ko; false when the command is missing. */
static bool compress_module(const struct compressor *c, const char *name, char *path, size_t size)
{
	const char *cmd = c->command;
	char prog[16];
	snprintf(prog, sizeof(prog), "%.*s", (int)strcspn(cmd, " "), cmd);
	if (!have_command(prog)) {
		fprintf(stderr, "# %s not installed: skipped\n", prog);
		return false;
	}
	snprintf(path, size, "%s/%s.ko.%s", mods, name, c->suffix);
	char buf[PATH_MAX * 3];
	snprintf(buf, sizeof(buf), "%s %s/%s.ko > %s", cmd, mods, name, path);
	assert_int_equal(system(buf), 0);
	return true;
}

/* Byte offset of section NAME's header flags field and its width, read
 * from the image with <elf.h> (ELF64 little-endian, as write_module makes). */
static uint64_t section_flags(const uint8_t *image, size_t size, const char *name)
{
	Elf64_Ehdr eh;
	assert_true(size >= sizeof(eh));
	memcpy(&eh, image, sizeof(eh));
	Elf64_Shdr strtab;
	memcpy(&strtab, image + eh.e_shoff + (uint64_t)eh.e_shstrndx * eh.e_shentsize,
	       sizeof(strtab));
	for (unsigned i = 1; i < eh.e_shnum; i++) {
		Elf64_Shdr sh;
		memcpy(&sh, image + eh.e_shoff + (uint64_t)i * eh.e_shentsize, sizeof(sh));
		if (streq((const char *)image + strtab.sh_offset + sh.sh_name, name))
			return sh.sh_flags;
	}
	fail_msg("no section %s", name);
	return 0;
}

static bool contains(const uint8_t *data, size_t size, const char *needle)
{
	return memmem(data, size, needle, strlen(needle)) != NULL;
}

/* The image that reached init_module for NAME is the module's ELF stripped
 * (or not) as FLAGS ask; everything else identical. */
static void assert_init_image(const char *name, const char *plain_path, unsigned int flags)
{
	size_t plain_len, got_len;
	char *plain = read_module(plain_path, &plain_len);
	char rel[128];
	snprintf(rel, sizeof(rel), "init_module/%s.ko", name);
	char *got = slurp(rel, &got_len);
	assert_non_null(got);
	assert_int_equal(got_len, plain_len);
	const uint8_t *g = (const uint8_t *)got, *p = (const uint8_t *)plain;

	uint64_t vflags = section_flags(g, got_len, "__versions");
	assert_true(section_flags(p, plain_len, "__versions") & SHF_ALLOC);
	assert_int_equal(!!(vflags & SHF_ALLOC), !(flags & KML_INSERT_FORCE_MODVERSION));
	assert_int_equal(contains(g, got_len, "vermagic="), !(flags & KML_INSERT_FORCE_VERMAGIC));
	assert_true(contains(g, got_len, "license=GPL"));
	if (flags == 0)
		assert_memory_equal(got, plain, plain_len);
	free(plain);
	free(got);
}

/* ------------------------------------------------------------ fixtures */

static int setup_group(void **state)
{
	(void)state;
	if (!mkdtemp(root) || !mkdtemp(mods))
		return -1;
	setenv("FAKE_KERNEL_ROOT", root, 1);
	/* This test must never reach the real kernel: refuse to run unless the
	 * fake one answers for /proc. */
	put("proc/kml-fake-kernel-probe", "yes\n");
	if (access("/proc/kml-fake-kernel-probe", F_OK) != 0) {
		fprintf(stderr, "test-kernel: the fake kernel is not preloaded "
				"(LD_PRELOAD=.../libfake-kernel.so): refusing to run\n");
		return -1;
	}
	/* Commands run by the tests (compressors) need no fake kernel. */
	unsetenv("LD_PRELOAD");
	return 0;
}

static int teardown_group(void **state)
{
	(void)state;
	remove_tree(root);
	remove_tree(mods);
	return 0;
}

/* Every test starts from an empty fake kernel. */
static int setup_test(void **state)
{
	(void)state;
	remove_tree(root);
	return mkdir(root, 0755);
}

/* ------------------------------------------------------------ tests */

static void test_redirection(void **state)
{
	(void)state;
	put("sys/module/probe/initstate", "live\n");
	put("proc/cmdline", "quiet\n");
	struct stat st;
	assert_int_equal(stat("/sys/module/probe", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(lstat("/sys/module/probe/initstate", &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(access("/sys/module/probe/initstate", R_OK), 0);
	assert_int_equal(stat("/sys/module/absent", &st), -1);
	assert_int_equal(errno, ENOENT);

	int fd = open("/proc/cmdline", O_RDONLY);
	assert_true(fd >= 0);
	char buf[16] = { 0 };
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 6);
	assert_string_equal(buf, "quiet\n");
	close(fd);

	FILE *f = fopen("/sys/module/probe/initstate", "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	assert_string_equal(buf, "live\n");
	fclose(f);

	DIR *d = opendir("/sys/module");
	assert_non_null(d);
	bool seen = false;
	struct dirent *de;
	while ((de = readdir(d)))
		seen |= streq(de->d_name, "probe");
	closedir(d);
	assert_true(seen);

	/* the process's own /proc is the real one; other paths are untouched */
	assert_int_equal(stat("/proc/self/exe", &st), 0);
	assert_int_equal(stat(root, &st), 0);
	/* "/sysfoo" is not under /sys */
	assert_int_equal(stat("/sysfoo-kml-test", &st), -1);
}

static void test_state(void **state)
{
	(void)state;
	put("sys/module/a/initstate", "live\n");
	put("sys/module/b/initstate", "coming\n");
	put("sys/module/c/initstate", "going\n");
	put_dir("sys/module/builtin_one/parameters");
	put("sys/module/weird/initstate", "sleeping\n");
	put("sys/module/empty/initstate", "");

	enum kml_module_state s = KML_STATE_BUILTIN;
	assert_int_equal(kml_kernel_module_state("a", &s), 0);
	assert_int_equal(s, KML_STATE_LIVE);
	assert_int_equal(kml_kernel_module_state("b", &s), 0);
	assert_int_equal(s, KML_STATE_COMING);
	assert_int_equal(kml_kernel_module_state("c", &s), 0);
	assert_int_equal(s, KML_STATE_GOING);
	assert_int_equal(kml_kernel_module_state("builtin_one", &s), 0);
	assert_int_equal(s, KML_STATE_BUILTIN);
	assert_int_equal(kml_kernel_module_state("absent", &s), 0);
	assert_int_equal(s, KML_STATE_NOT_LOADED);

	s = KML_STATE_LIVE;
	assert_int_equal(kml_kernel_module_state("weird", &s), -EBADMSG);
	assert_int_equal(kml_kernel_module_state("empty", &s), -EBADMSG);
	assert_int_equal(kml_kernel_module_state("", &s), -EINVAL);
	assert_int_equal(kml_kernel_module_state("..", &s), -EINVAL);
	assert_int_equal(kml_kernel_module_state("a/../b", &s), -EINVAL);
	assert_int_equal(s, KML_STATE_LIVE); /* untouched on failure */
}

static void test_refcount(void **state)
{
	(void)state;
	put("sys/module/a/refcnt", "3\n");
	put("sys/module/zero/refcnt", "0\n");
	put("sys/module/bad/refcnt", "3x\n");
	put("sys/module/huge/refcnt", "99999999999\n");
	put_dir("sys/module/builtin_one");
	int rc = 42;
	assert_int_equal(kml_kernel_module_refcount("a", &rc), 0);
	assert_int_equal(rc, 3);
	assert_int_equal(kml_kernel_module_refcount("zero", &rc), 0);
	assert_int_equal(rc, 0);
	rc = 42;
	assert_int_equal(kml_kernel_module_refcount("bad", &rc), -EBADMSG);
	assert_int_equal(kml_kernel_module_refcount("huge", &rc), -EBADMSG);
	assert_int_equal(kml_kernel_module_refcount("builtin_one", &rc), -ENOENT);
	assert_int_equal(kml_kernel_module_refcount("absent", &rc), -ENOENT);
	assert_int_equal(rc, 42);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_holders(void **state)
{
	(void)state;
	put("sys/module/base/holders/zeta", "");
	put("sys/module/base/holders/alpha", "");
	put_dir("sys/module/base/holders/mid");
	put_dir("sys/module/lonely/holders");
	char **h = NULL;
	size_t n = 99;
	assert_int_equal(kml_kernel_module_holders("base", &h, &n), 0);
	assert_int_equal(n, 3);
	/* directory order is the file system's: compare as a set */
	qsort(h, n, sizeof(*h), compare_names);
	assert_string_equal(h[0], "alpha");
	assert_string_equal(h[1], "mid");
	assert_string_equal(h[2], "zeta");
	for (size_t i = 0; i < n; i++)
		free(h[i]);
	free(h);

	h = NULL;
	assert_int_equal(kml_kernel_module_holders("lonely", &h, &n), 0);
	assert_int_equal(n, 0);
	free(h);

	assert_int_equal(kml_kernel_module_holders("absent", &h, &n), -ENOENT);
	assert_int_equal(kml_kernel_module_holders("", &h, &n), -EINVAL);
}

static void test_list_modules(void **state)
{
	(void)state;
	static const char text[] =
		"snd_hda 12345 2 snd_a,snd_b, Live 0xffffffffc0a00000 (OE)\n"
		"lonely 100 0 - Live 0x0000000000000000\n"
		"garbage\n"
		"\n"
		"short 1 2 -\n"
		"badsize 12x 0 - Live 0x0\n"
		"negsize -12 0 - Live 0x0\n"
		"badref 12 x - Live 0x0\n"
		"nounload 200 - - Live 0x0\n"
		"going 300 -1 - Unloading 0x0\n"
		"perm 10 1 [permanent], Loading 0x0\n"
		"  spaced\t 7  0   -  Live  \n"
		"last 42 0 - Live 0x0"; /* no final newline */
	put("proc/modules", text);

	struct kml_loaded_module *m = NULL;
	size_t n = 0;
	assert_int_equal(kml_kernel_list_modules(&m, &n), 0);
	assert_int_equal(n, 7);
	assert_string_equal(m[0].name, "snd_hda");
	assert_int_equal(m[0].size, 12345);
	assert_int_equal(m[0].refcount, 2);
	assert_string_equal(m[0].holders, "snd_a,snd_b");
	assert_string_equal(m[0].state, "Live");
	assert_string_equal(m[1].name, "lonely");
	assert_int_equal(m[1].refcount, 0);
	assert_string_equal(m[1].holders, "");
	assert_string_equal(m[2].name, "nounload");
	assert_int_equal(m[2].refcount, -1);
	assert_string_equal(m[3].name, "going");
	assert_int_equal(m[3].refcount, -1);
	assert_string_equal(m[3].state, "Unloading");
	assert_string_equal(m[4].name, "perm");
	assert_string_equal(m[4].holders, "[permanent]");
	assert_string_equal(m[4].state, "Loading");
	assert_string_equal(m[5].name, "spaced");
	assert_int_equal(m[5].size, 7);
	assert_string_equal(m[6].name, "last");
	assert_int_equal(m[6].size, 42);
	kml_kernel_free_module_list(m, n);

	/* a NUL inside a line: that line is dropped, the next one kept */
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/proc/modules", root);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fwrite("a 1 0 - Live 0x0\nb 2 0\0 - Live 0x0\nc 3 0 - Live 0x0\n", 1, 51, f);
	fclose(f);
	assert_int_equal(kml_kernel_list_modules(&m, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(m[0].name, "a");
	assert_string_equal(m[1].name, "c");
	kml_kernel_free_module_list(m, n);

	put("proc/modules", "");
	m = NULL;
	assert_int_equal(kml_kernel_list_modules(&m, &n), 0);
	assert_int_equal(n, 0);
	kml_kernel_free_module_list(m, n);

	remove_tree(path);
	assert_int_equal(kml_kernel_list_modules(&m, &n), -ENOENT);
	kml_kernel_free_module_list(NULL, 0);
}

static void test_cmdline(void **state)
{
	(void)state;
	char *text = NULL;
	assert_int_equal(kml_kernel_read_cmdline(&text), -ENOENT);
	put("proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 foo.bar=\"a b\" quiet\n");
	assert_int_equal(kml_kernel_read_cmdline(&text), 0);
	assert_string_equal(text, "BOOT_IMAGE=/vmlinuz root=/dev/sda1 foo.bar=\"a b\" quiet");
	free(text);
	put("proc/cmdline", "");
	assert_int_equal(kml_kernel_read_cmdline(&text), 0);
	assert_string_equal(text, "");
	free(text);
}

static void test_insert_plain(void **state)
{
	(void)state;
	const char *path = write_module("plain");
	assert_int_equal(kml_kernel_insert(path, "a=1 b=\"x y\"", 0), 0);
	enum kml_module_state s;
	assert_int_equal(kml_kernel_module_state("plain", &s), 0);
	assert_int_equal(s, KML_STATE_LIVE);
	int rc = -5;
	assert_int_equal(kml_kernel_module_refcount("plain", &rc), 0);
	assert_int_equal(rc, 0);

	/* loaded a second time: the kernel's EEXIST */
	assert_int_equal(kml_kernel_insert(path, NULL, 0), -EEXIST);
	assert_log("finit_module plain \"a=1 b=\"x y\"\" 0\n"
		   "finit_module plain \"\" 0 = EEXIST\n");

	struct kml_loaded_module *m = NULL;
	size_t n = 0;
	assert_int_equal(kml_kernel_list_modules(&m, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].name, "plain");
	assert_string_equal(m[0].state, "Live");
	kml_kernel_free_module_list(m, n);

	/* the newest module comes first in /proc/modules */
	path = write_module("second");
	assert_int_equal(kml_kernel_insert(path, "", 0), 0);
	assert_int_equal(kml_kernel_list_modules(&m, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(m[0].name, "second");
	assert_string_equal(m[1].name, "plain");
	kml_kernel_free_module_list(m, n);
}

static void test_insert_plain_force(void **state)
{
	(void)state;
	const char *path = write_module("forced");
	assert_int_equal(kml_kernel_insert(path, NULL,
					   KML_INSERT_FORCE_MODVERSION | KML_INSERT_FORCE_VERMAGIC),
			 0);
	assert_int_equal(kml_kernel_remove("forced", false), 0);
	assert_int_equal(kml_kernel_insert(path, NULL, KML_INSERT_FORCE_MODVERSION), 0);
	assert_int_equal(kml_kernel_remove("forced", false), 0);
	assert_int_equal(kml_kernel_insert(path, NULL, KML_INSERT_FORCE_VERMAGIC), 0);
	/* finit_module: the file itself goes to the kernel, with flags */
	assert_false(root_has("init_module"));
	assert_log("finit_module forced \"\" 3\n"
		   "delete_module forced O_NONBLOCK\n"
		   "finit_module forced \"\" 1\n"
		   "delete_module forced O_NONBLOCK\n"
		   "finit_module forced \"\" 2\n");
	assert_int_equal(kml_kernel_insert(path, NULL, 1u << 5), -EINVAL);
}

/* Compressed, the kernel cannot decompress: decompressed here, init_module. */
static void test_insert_compressed_no_kernel_support(void **state)
{
	(void)state;
	const char *plain = write_module("packed");
	char plain_path[PATH_MAX];
	snprintf(plain_path, sizeof(plain_path), "%s", plain);
	for (size_t i = 0; i < ARRAY_SIZE(compressors); i++) {
		const struct compressor *c = &compressors[i];
		char path[PATH_MAX];
		if (!compress_module(c, "packed", path, sizeof(path)))
			continue;
		/* no /sys/module/compression, or a different format */
		for (int variant = 0; variant < 2; variant++) {
			assert_int_equal(setup_test(NULL), 0);
			if (variant == 1)
				put("sys/module/compression",
				    c->type == KML_COMPRESSION_XZ ? "zstd\n" : "xz\n");
			int r = kml_kernel_insert(path, "x=1", 0);
			if (!built_with(c->type)) {
				assert_int_equal(r, -ENOTSUP);
				assert_log("");
				continue;
			}
			assert_int_equal(r, 0);
			assert_log("init_module packed \"x=1\"\n");
			assert_init_image("packed", plain_path, 0);

			/* forced: the stripped private copy goes to the kernel */
			assert_int_equal(kml_kernel_remove("packed", false), 0);
			unsigned int flags =
				KML_INSERT_FORCE_MODVERSION | KML_INSERT_FORCE_VERMAGIC;
			assert_int_equal(kml_kernel_insert(path, NULL, flags), 0);
			assert_init_image("packed", plain_path, flags);
			assert_int_equal(kml_kernel_remove("packed", false), 0);
			assert_int_equal(kml_kernel_insert(path, NULL, KML_INSERT_FORCE_VERMAGIC),
					 0);
			assert_init_image("packed", plain_path, KML_INSERT_FORCE_VERMAGIC);
		}
	}
	/* the module file itself is never modified */
	size_t len;
	char *after = read_module(plain_path, &len);
	struct elfw *w = module_writer("packed", 64, false);
	uint8_t *expected;
	size_t expected_len;
	assert_int_equal(elfw_build(w, &expected, &expected_len), 0);
	assert_int_equal(len, expected_len);
	assert_memory_equal(after, expected, len);
	free(expected);
	free(after);
	elfw_free(w);
}

/* Compressed in the format the kernel decompresses: finit_module with flag 4. */
static void test_insert_compressed_kernel_support(void **state)
{
	(void)state;
	write_module("kpacked");
	for (size_t i = 0; i < ARRAY_SIZE(compressors); i++) {
		const struct compressor *c = &compressors[i];
		char path[PATH_MAX];
		if (!compress_module(c, "kpacked", path, sizeof(path)))
			continue;
		assert_int_equal(setup_test(NULL), 0);
		char text[16];
		snprintf(text, sizeof(text), "%s\n", kml_compression_name(c->type));
		put("sys/module/compression", text);
		assert_int_equal(kml_kernel_insert(path, "p=2", 0), 0);
		assert_int_equal(kml_kernel_remove("kpacked", false), 0);
		assert_int_equal(kml_kernel_insert(path, "",
						   KML_INSERT_FORCE_MODVERSION |
							   KML_INSERT_FORCE_VERMAGIC),
				 0);
		assert_log("finit_module kpacked \"p=2\" 4\n"
			   "delete_module kpacked O_NONBLOCK\n"
			   "finit_module kpacked \"\" 7\n");
		assert_false(root_has("init_module"));
	}
}

/* finit_module missing (ENOSYS): the file is read and given to init_module. */
static void test_insert_enosys_fallback(void **state)
{
	(void)state;
	const char *p = write_module("oldkernel");
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s", p);
	put("fail/oldkernel", "finit_module ENOSYS\n");
	assert_int_equal(kml_kernel_insert(path, "v=1", 0), 0);
	assert_log("finit_module oldkernel \"v=1\" 0 = ENOSYS\n"
		   "init_module oldkernel \"v=1\"\n");
	assert_init_image("oldkernel", path, 0);
	enum kml_module_state s;
	assert_int_equal(kml_kernel_module_state("oldkernel", &s), 0);
	assert_int_equal(s, KML_STATE_LIVE);

	/* with the force flags: the stripped copy */
	assert_int_equal(kml_kernel_remove("oldkernel", false), 0);
	assert_int_equal(kml_kernel_insert(path, NULL, KML_INSERT_FORCE_MODVERSION), 0);
	assert_init_image("oldkernel", path, KML_INSERT_FORCE_MODVERSION);

	/* the fallback's own failure is what is returned */
	assert_int_equal(kml_kernel_remove("oldkernel", false), 0);
	put("fail/oldkernel", "finit_module ENOSYS\ninit_module EKEYREJECTED\n");
	assert_int_equal(kml_kernel_insert(path, NULL, 0), -EKEYREJECTED);
	assert_int_equal(kml_kernel_module_state("oldkernel", &s), 0);
	assert_int_equal(s, KML_STATE_NOT_LOADED);
}

static void test_insert_errors(void **state)
{
	(void)state;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s", write_module("broken"));
	static const struct {
		const char *fail;
		int err;
	} cases[] = {
		{ "ENOEXEC", ENOEXEC }, { "ENOENT", ENOENT }, { "ESRCH", ESRCH },
		{ "EINVAL", EINVAL },	{ "EPERM", EPERM },   { "EBUSY", EBUSY },
		{ "17", EEXIST },	{ "finit_module EAGAIN", EAGAIN },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		put("fail/broken", cases[i].fail);
		assert_int_equal(kml_kernel_insert(path, NULL, 0), -cases[i].err);
	}
	/* a failure other than ENOSYS is not retried with init_module */
	assert_false(root_has("init_module"));
	enum kml_module_state s;
	assert_int_equal(kml_kernel_module_state("broken", &s), 0);
	assert_int_equal(s, KML_STATE_NOT_LOADED);

	/* a built-in module of that name (directory without initstate) */
	remove_tree(root);
	put_dir("sys/module/broken/parameters");
	assert_int_equal(kml_kernel_insert(path, NULL, 0), -EEXIST);

	/* no file, not a module */
	assert_int_equal(kml_kernel_insert("/nonexistent/x.ko", NULL, 0), -ENOENT);
	char junk[PATH_MAX];
	snprintf(junk, sizeof(junk), "%s/junk.ko", mods);
	FILE *f = fopen(junk, "w");
	assert_non_null(f);
	fputs("this is not an ELF file at all", f);
	fclose(f);
	assert_int_equal(kml_kernel_insert(junk, NULL, 0), -ENOEXEC);
	assert_int_equal(kml_kernel_insert(NULL, NULL, 0), -EINVAL);
}

static void test_insert_image(void **state)
{
	(void)state;
	struct elfw *w = module_writer("inmem", 64, false);
	uint8_t *image;
	size_t size;
	assert_int_equal(elfw_build(w, &image, &size), 0);
	elfw_free(w);
	assert_int_equal(kml_kernel_insert_image(image, size, "q=3", 0), 0);
	assert_log("init_module inmem \"q=3\"\n");
	size_t got_len;
	char *got = slurp("init_module/inmem.ko", &got_len);
	assert_non_null(got);
	assert_int_equal(got_len, size);
	assert_memory_equal(got, image, size);
	free(got);
	assert_int_equal(kml_kernel_insert_image(image, size, NULL, 0), -EEXIST);

	/* forcing works on a copy: the caller's bytes stay as they were */
	uint8_t *copy = malloc(size);
	assert_non_null(copy);
	memcpy(copy, image, size);
	assert_int_equal(kml_kernel_remove("inmem", false), 0);
	assert_int_equal(kml_kernel_insert_image(image, size, NULL, KML_INSERT_FORCE_VERMAGIC), 0);
	assert_memory_equal(copy, image, size);
	free(copy);

	/* garbage with force flags: rejected before reaching the kernel */
	static const char junk[] = "not an ELF image, not at all";
	remove_tree(root);
	assert_int_equal(kml_kernel_insert_image(junk, sizeof(junk), NULL,
						 KML_INSERT_FORCE_MODVERSION),
			 -ENOEXEC);
	assert_log("");
	/* without: the kernel's answer */
	assert_int_equal(kml_kernel_insert_image(junk, sizeof(junk), NULL, 0), -ENOEXEC);
	assert_log("init_module ? \"\" = ENOEXEC\n");
	free(image);
}

/* Only the __versions flags and the vermagic string's bytes change, on
 * every ELF class and byte order. */
static void test_strip_for_force(void **state)
{
	(void)state;
	static const struct {
		int elf_class;
		bool big_endian;
	} kinds[] = { { 64, false }, { 64, true }, { 32, false }, { 32, true } };
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		struct elfw *w = module_writer("strip", kinds[k].elf_class, kinds[k].big_endian);
		uint8_t *orig;
		size_t size;
		assert_int_equal(elfw_build(w, &orig, &size), 0);
		struct elfw_layout layout;
		assert_int_equal(elfw_get_layout(w, &layout), 0);
		int vindex = elfw_find_section(w, "__versions");
		assert_true(vindex > 0);
		uint64_t shentsize = kinds[k].elf_class == 64 ? 64 : 40;
		uint64_t flags_at = layout.shoff + (uint64_t)vindex * shentsize + 8;
		unsigned width = kinds[k].elf_class == 64 ? 8 : 4;
		/* SHF_ALLOC is bit 1 of the flags' least significant byte */
		uint64_t alloc_byte = flags_at + (kinds[k].big_endian ? width - 1 : 0);
		uint64_t modinfo_off, modinfo_size;
		assert_int_equal(elfw_section_offset(w, ".modinfo", &modinfo_off, &modinfo_size), 0);
		const uint8_t *vm = memmem(orig + modinfo_off, modinfo_size, vermagic,
					   sizeof(vermagic));
		assert_non_null(vm);
		uint64_t vm_at = (uint64_t)(vm - orig), vm_len = sizeof(vermagic) - 1;

		for (unsigned flags = 0; flags < 4; flags++) {
			uint8_t *img = malloc(size);
			assert_non_null(img);
			memcpy(img, orig, size);
			assert_int_equal(elf_strip_for_force(img, size, flags), 0);
			for (uint64_t i = 0; i < size; i++) {
				if ((flags & KML_INSERT_FORCE_MODVERSION) && i == alloc_byte) {
					assert_int_equal(img[i], orig[i] & ~SHF_ALLOC);
					assert_true(orig[i] & SHF_ALLOC);
				} else if ((flags & KML_INSERT_FORCE_VERMAGIC) && i >= vm_at &&
					   i < vm_at + vm_len) {
					assert_int_equal(img[i], 0);
				} else if (img[i] != orig[i]) {
					fail_msg("ELF%d %s flags %u: byte %" PRIu64 " changed",
						 kinds[k].elf_class,
						 kinds[k].big_endian ? "BE" : "LE", flags, i);
				}
			}
			/* still a valid module with the other modinfo entries */
			struct kml_elf *elf;
			assert_int_equal(kml_elf_new(img, size, &elf), 0);
			struct kml_modinfo_entry *e;
			size_t n;
			assert_int_equal(kml_elf_get_modinfo(elf, &e, &n), 0);
			size_t expected = flags & KML_INSERT_FORCE_VERMAGIC ? 3 : 4;
			assert_int_equal(n, expected);
			free(e);
			kml_elf_free(elf);
			free(img);
		}
		free(orig);
		elfw_free(w);
	}

	/* nothing to strip is fine; garbage is not */
	struct elfw *w = elfw_new(64, false, ELFW_EM_X86_64);
	assert_true(elfw_add_modinfo(w, (const char *[]){ "license=GPL" }, 1, 0) > 0);
	uint8_t *img;
	size_t size;
	assert_int_equal(elfw_build(w, &img, &size), 0);
	assert_int_equal(elf_strip_for_force(img, size, 3), 0);
	free(img);
	elfw_free(w);
	uint8_t junk[64] = "\177ELF";
	assert_int_equal(elf_strip_for_force(junk, sizeof(junk), 3), -ENOEXEC);
}

static void test_remove(void **state)
{
	(void)state;
	const char *path = write_module("victim");
	assert_int_equal(kml_kernel_insert(path, NULL, 0), 0);
	assert_int_equal(kml_kernel_remove("victim", false), 0);
	assert_false(root_has("sys/module/victim"));
	struct kml_loaded_module *m = NULL;
	size_t n = 5;
	assert_int_equal(kml_kernel_list_modules(&m, &n), 0);
	assert_int_equal(n, 0);
	kml_kernel_free_module_list(m, n);

	/* not loaded, built-in */
	assert_int_equal(kml_kernel_remove("victim", false), -ENOENT);
	put_dir("sys/module/builtin_one/parameters");
	assert_int_equal(kml_kernel_remove("builtin_one", false), -ENOENT);

	/* in use: only forced removal goes through */
	assert_int_equal(kml_kernel_insert(path, NULL, 0), 0);
	put("sys/module/victim/refcnt", "1\n");
	assert_int_equal(kml_kernel_remove("victim", false), -EWOULDBLOCK);
	assert_int_equal(kml_kernel_remove("victim", true), 0);
	assert_false(root_has("sys/module/victim"));

	/* held by another module: not even forced */
	assert_int_equal(kml_kernel_insert(path, NULL, 0), 0);
	put("sys/module/victim/holders/user", "");
	assert_int_equal(kml_kernel_remove("victim", true), -EWOULDBLOCK);
	remove_tree(root);
	assert_int_equal(mkdir(root, 0755), 0);

	/* errors from the kernel come back as they are */
	assert_int_equal(kml_kernel_insert(path, NULL, 0), 0);
	put("fail/victim", "delete_module EPERM\n");
	assert_int_equal(kml_kernel_remove("victim", false), -EPERM);
	assert_int_equal(kml_kernel_remove("victim", true), -EPERM);
	assert_int_equal(kml_kernel_remove("", false), -EINVAL);
	assert_int_equal(kml_kernel_remove(NULL, false), -EINVAL);
	assert_log("finit_module victim \"\" 0\n"
		   "delete_module victim O_NONBLOCK = EPERM\n"
		   "delete_module victim O_NONBLOCK|O_TRUNC = EPERM\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_redirection, setup_test),
		cmocka_unit_test_setup(test_state, setup_test),
		cmocka_unit_test_setup(test_refcount, setup_test),
		cmocka_unit_test_setup(test_holders, setup_test),
		cmocka_unit_test_setup(test_list_modules, setup_test),
		cmocka_unit_test_setup(test_cmdline, setup_test),
		cmocka_unit_test_setup(test_insert_plain, setup_test),
		cmocka_unit_test_setup(test_insert_plain_force, setup_test),
		cmocka_unit_test_setup(test_insert_compressed_no_kernel_support, setup_test),
		cmocka_unit_test_setup(test_insert_compressed_kernel_support, setup_test),
		cmocka_unit_test_setup(test_insert_enosys_fallback, setup_test),
		cmocka_unit_test_setup(test_insert_errors, setup_test),
		cmocka_unit_test_setup(test_insert_image, setup_test),
		cmocka_unit_test_setup(test_strip_for_force, setup_test),
		cmocka_unit_test_setup(test_remove, setup_test),
	};
	return cmocka_run_group_tests_name("kernel", tests, setup_group, teardown_group);
}
