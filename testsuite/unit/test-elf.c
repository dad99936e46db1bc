// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Tests of the ELF reader (kml_elf_*) on modules made by the fixture writer:
 * all four class/byte-order combinations, every getter, and hostile inputs
 * (every corruption knob, every truncation, random byte flips), plus one
 * real module compared with the reference modinfo when it is present.
 *
 * Fixture buffers are malloc'd at their exact size and the sections that
 * hostile tests aim at are placed last in the image, so an over-read runs
 * off the allocation: run under ASan to see it (build-*-asan).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "kmodlite-private.h"
#include "elf-writer.h"

/* ------------------------------------------------------------- combos */

struct combo {
	int cls;
	bool be;
	const char *name;
};

static const struct combo combos[] = {
	{ 32, false, "elf32-le" },
	{ 32, true, "elf32-be" },
	{ 64, false, "elf64-le" },
	{ 64, true, "elf64-be" },
};

static uint16_t machine_for(const struct combo *c)
{
	if (c->cls == 64)
		return c->be ? ELFW_EM_S390 : ELFW_EM_X86_64;
	return c->be ? ELFW_EM_PPC64 /* any */ : ELFW_EM_386;
}

/* --------------------------------------------------- the reference module */

static const char *const modinfo_entries[] = {
	"license=GPL",
	"alias=pci:v00008086d*sv*sd*bc*sc*i*",
	"parm=debug:Debug level (0=none, 1=all)",
	"parmtype=debug:int",
	"depends=",
	"vermagic=6.1.0-56-amd64 SMP preempt mod_unload modversions ",
	"alias=foo-bar",
	"name=fixture",
};
#define N_MODINFO ARRAY_SIZE(modinfo_entries)

/* A name of the longest length that fits a record: 55 bytes on ELF64,
 * 59 on ELF32 (plus its NUL). */
static const char long_name[] =
	"a_very_long_symbol_name_that_fills_the_version_record_1234567890";

static const uint8_t build_id[20] = {
	0x2b, 0x9e, 0x2f, 0x41, 0xc0, 0x9b, 0xeb, 0xe3, 0x97, 0x98,
	0x42, 0xe5, 0x2c, 0x3a, 0xc9, 0x97, 0x7b, 0x0a, 0x67, 0xce,
};

enum base_kind {
	BASE_CRC,	/* modversions: __crc_ symbols in __kcrctab(_gpl) */
	BASE_NOCRC,	/* exports only in __ksymtab_strings */
	BASE_CRC_ABS,	/* old kernels: __crc_ symbols are ABS, value = CRC */
};

static const char *const imports[] = { "printk", "kmalloc_trace", "optional_fn" };
static const bool imports_weak[] = { false, false, true };

static char *version_long_name(int cls)
{
	size_t max = (cls == 64 ? 56 : 60) - 1;
	char *s = strndup(long_name, max);
	assert_non_null(s);
	assert_int_equal(strlen(s), max);
	return s;
}

static struct elfw *make_module(const struct combo *c, enum base_kind kind)
{
	struct elfw *w = elfw_new(c->cls, c->be, machine_for(c));
	char *lname = version_long_name(c->cls);
	struct elfw_version versions[] = {
		{ 0x1234, "printk" },
		{ 0xdeadbeefcafebabeULL, "module_layout" },
		{ 0, "kmalloc_trace" },
		{ 0xffffffffffffffffULL, lname },
	};
	enum elfw_export_crc mode = kind == BASE_CRC	  ? ELFW_EXPORT_CRC
				    : kind == BASE_CRC_ABS ? ELFW_EXPORT_CRC_ABS
							   : ELFW_EXPORT_NO_CRC;
	struct elfw_symbol section_sym = {
		.name = "", .shndx = 0, .bind = ELFW_BIND_LOCAL, .type = ELFW_TYPE_SECTION,
	};
	struct elfw_symbol empty_undef = { .name = "", .shndx = ELFW_SHN_UNDEF };
	struct elfw_signature sig = {
		.algo = 1, .hash = 4, .id_type = ELFW_SIG_ID_X509,
		.signer = "Fixture signer", .signer_len = 14,
		.key_id = "\x01\x02\x03\x04", .key_id_len = 4,
		.sig = "\xaa\xbb\xcc\xdd\xee", .sig_len = 5,
	};

	assert_non_null(w);
	assert_true(elfw_add_build_id(w, build_id, sizeof(build_id)) > 0);
	assert_true(elfw_add_export(w, "exp_a", mode, 0x11111111, false) == 0);
	assert_true(elfw_add_export(w, "exp_gpl", mode, 0x8badf00d, true) == 0);
	assert_true(elfw_add_modinfo(w, modinfo_entries, N_MODINFO, 3) > 0);
	assert_true(elfw_add_versions(w, versions, ARRAY_SIZE(versions)) > 0);
	assert_true(elfw_add_this_module(w, "fixture") > 0);
	/* a local section symbol and an undefined symbol without a name:
	 * neither is an import */
	section_sym.shndx = (uint16_t)elfw_find_section(w, ".text");
	assert_true(elfw_add_symbol(w, &section_sym) == 0);
	assert_true(elfw_add_symbol(w, &empty_undef) == 0);
	for (size_t i = 0; i < ARRAY_SIZE(imports); i++)
		assert_true(elfw_add_import(w, imports[i], imports_weak[i]) == 0);
	assert_true(elfw_set_signature(w, &sig) == 0);
	free(lname);
	return w;
}

static void build(struct elfw *w, uint8_t **buf, size_t *size)
{
	int r = elfw_build(w, buf, size);
	assert_int_equal(r, 0);
}

/* ----------------------------------------- running every getter safely */

enum getter { G_MODINFO, G_VERSIONS, G_EXPORTS, G_IMPORTS, G_BUILDID, G_COUNT };
static const char *const getter_names[G_COUNT] = {
	"modinfo", "versions", "exports", "imports", "build-id",
};

struct results {
	int new_rc;
	int rc[G_COUNT];
	size_t count[G_COUNT];
};

static bool inside(const void *p, const uint8_t *buf, size_t size)
{
	return (const uint8_t *)p >= buf && (const uint8_t *)p < buf + size;
}

/* Reads every byte of a returned string (ASan sees an unterminated one). */
static size_t touch(const char *s)
{
	volatile size_t n = strlen(s);
	return n;
}

static void check_symbols(const struct kml_symbol *s, size_t n, const uint8_t *buf, size_t size)
{
	for (size_t i = 0; i < n; i++) {
		assert_non_null(s[i].name);
		assert_true(inside(s[i].name, buf, size));
		assert_true(s[i].name + touch(s[i].name) < (const char *)buf + size);
	}
}

typedef int (*sym_getter)(const struct kml_elf *, struct kml_symbol **, size_t *);

static int run_sym_getter(sym_getter fn, const struct kml_elf *elf, const uint8_t *buf,
			  size_t size, size_t *ret_count)
{
	struct kml_symbol *sentinel = (struct kml_symbol *)(uintptr_t)0x1;
	struct kml_symbol *syms = sentinel, *syms2 = sentinel;
	size_t n = 12345, n2 = 12345;
	int r, r2;

	r = fn(elf, &syms, &n);
	if (r < 0) {
		/* outputs untouched on failure */
		assert_ptr_equal(syms, sentinel);
		assert_int_equal(n, 12345);
		*ret_count = 0;
	} else {
		assert_true(n == 0 || syms != NULL);
		check_symbols(syms, n, buf, size);
		*ret_count = n;
	}
	/* the same answer twice */
	r2 = fn(elf, &syms2, &n2);
	assert_int_equal(r, r2);
	if (r >= 0) {
		assert_int_equal(n, n2);
		for (size_t i = 0; i < n; i++) {
			assert_ptr_equal(syms[i].name, syms2[i].name);
			assert_true(syms[i].crc == syms2[i].crc);
			assert_int_equal(syms[i].has_crc, syms2[i].has_crc);
			assert_int_equal(syms[i].weak, syms2[i].weak);
		}
		free(syms);
		free(syms2);
	}
	return r;
}

static void run_all(const uint8_t *buf, size_t size, struct results *res)
{
	struct kml_elf *elf = NULL;
	struct kml_modinfo_entry *mi = (struct kml_modinfo_entry *)(uintptr_t)0x1, *mi2 = NULL;
	size_t n = 12345, n2 = 0;
	const uint8_t *id = (const uint8_t *)(uintptr_t)0x1;
	size_t id_len = 12345;
	int r;

	memset(res, 0, sizeof(*res));
	res->new_rc = kml_elf_new(buf, size, &elf);
	if (res->new_rc < 0) {
		assert_true(res->new_rc == -ENOEXEC || res->new_rc == -ENOMEM);
		assert_null(elf);
		return;
	}
	assert_non_null(elf);
	assert_true(kml_elf_class(elf) == 32 || kml_elf_class(elf) == 64);

	r = kml_elf_get_modinfo(elf, &mi, &n);
	res->rc[G_MODINFO] = r;
	if (r < 0) {
		assert_ptr_equal(mi, (struct kml_modinfo_entry *)(uintptr_t)0x1);
		assert_int_equal(n, 12345);
	} else {
		assert_true(n == 0 || mi != NULL);
		for (size_t i = 0; i < n; i++) {
			assert_true(inside(mi[i].key, buf, size));
			assert_true(inside(mi[i].value, buf, size));
			assert_true(mi[i].value + touch(mi[i].value) < (const char *)buf + size);
			assert_true(mi[i].key_len <= (size_t)(buf + size - (const uint8_t *)mi[i].key));
			assert_null(memchr(mi[i].key, '\0', mi[i].key_len));
		}
		res->count[G_MODINFO] = n;
		assert_int_equal(kml_elf_get_modinfo(elf, &mi2, &n2), r);
		assert_int_equal(n, n2);
		for (size_t i = 0; i < n; i++) {
			assert_ptr_equal(mi[i].key, mi2[i].key);
			assert_int_equal(mi[i].key_len, mi2[i].key_len);
			assert_ptr_equal(mi[i].value, mi2[i].value);
		}
		free(mi);
		free(mi2);
	}

	res->rc[G_VERSIONS] = run_sym_getter(kml_elf_get_versions, elf, buf, size,
					     &res->count[G_VERSIONS]);
	res->rc[G_EXPORTS] = run_sym_getter(kml_elf_get_exports, elf, buf, size,
					    &res->count[G_EXPORTS]);
	res->rc[G_IMPORTS] = run_sym_getter(kml_elf_get_imports, elf, buf, size,
					    &res->count[G_IMPORTS]);

	r = kml_elf_get_build_id(elf, &id, &id_len);
	res->rc[G_BUILDID] = r;
	if (r < 0) {
		assert_ptr_equal(id, (const uint8_t *)(uintptr_t)0x1);
		assert_int_equal(id_len, 12345);
	} else {
		assert_true(inside(id, buf, size));
		assert_true(id_len > 0 && id_len <= (size_t)(buf + size - id));
		res->count[G_BUILDID] = id_len;
	}
	kml_elf_free(elf);
}

static struct kml_elf *open_elf(const uint8_t *buf, size_t size)
{
	struct kml_elf *elf = NULL;
	int r = kml_elf_new(buf, size, &elf);
	assert_int_equal(r, 0);
	assert_non_null(elf);
	return elf;
}

static const struct kml_symbol *find_sym(const struct kml_symbol *s, size_t n, const char *name)
{
	const struct kml_symbol *found = NULL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(s[i].name, name) == 0) {
			assert_null(found); /* listed once */
			found = &s[i];
		}
	}
	return found;
}

/* --------------------------------------------------------- valid inputs */

static void test_header(void **state)
{
	const struct combo *c = *state;
	struct elfw *w = make_module(c, BASE_CRC);
	uint8_t *buf;
	size_t size;
	struct kml_elf *elf;

	build(w, &buf, &size);
	elf = open_elf(buf, size);
	assert_int_equal(kml_elf_class(elf), c->cls);
	assert_int_equal(kml_elf_big_endian(elf), c->be);
	kml_elf_free(elf);
	free(buf);
	elfw_free(w);
}

static void check_modinfo_list(const struct kml_elf *elf, const char *const *expected, size_t n)
{
	struct kml_modinfo_entry *e = NULL;
	size_t count = 0;
	int r = kml_elf_get_modinfo(elf, &e, &count);

	assert_true(r >= 0);
	assert_int_equal(count, n);
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(expected[i], '=');
		size_t klen = (size_t)(eq - expected[i]);

		assert_non_null(eq);
		assert_int_equal(e[i].key_len, klen);
		assert_memory_equal(e[i].key, expected[i], klen);
		assert_string_equal(e[i].value, eq + 1);
	}
	free(e);
}

static void test_modinfo(void **state)
{
	const struct combo *c = *state;

	/* with and without padding runs between entries */
	for (unsigned int pad = 0; pad <= 9; pad += 3) {
		struct elfw *w = elfw_new(c->cls, c->be, machine_for(c));
		uint8_t *buf;
		size_t size;
		struct kml_elf *elf;

		assert_true(elfw_add_modinfo(w, modinfo_entries, N_MODINFO, pad) > 0);
		build(w, &buf, &size);
		elf = open_elf(buf, size);
		check_modinfo_list(elf, modinfo_entries, N_MODINFO);
		kml_elf_free(elf);
		free(buf);
		elfw_free(w);
	}
}

static void test_modinfo_leading_trailing_padding(void **state)
{
	const struct combo *c = *state;
	static const char raw[] = "\0\0\0\0license=GPL\0\0\0\0\0\0\0\0alias=x\0=\0key=a=b=c\0\0\0";
	static const char *const expected[] = { "license=GPL", "alias=x", "=", "key=a=b=c" };
	struct elfw *w = elfw_new(c->cls, c->be, machine_for(c));
	uint8_t *buf;
	size_t size;
	struct kml_elf *elf;

	assert_true(elfw_add_modinfo_raw(w, raw, sizeof(raw) - 1) > 0);
	elfw_set_tail_section(w, ".modinfo");
	elfw_set_shdr_first(w, true);
	build(w, &buf, &size);
	elf = open_elf(buf, size);
	check_modinfo_list(elf, expected, ARRAY_SIZE(expected));
	kml_elf_free(elf);
	free(buf);
	elfw_free(w);
}

/* An entry without '=' is malformed: skipped or reported, consistently. */
static void test_modinfo_without_equals(void **state)
{
	const struct combo *c = *state;
	static const char *const entries[] = { "license=GPL", "novalue", "alias=x" };
	struct elfw *w = elfw_new(c->cls, c->be, machine_for(c));
	struct kml_modinfo_entry *e = NULL;
	size_t n = 0;
	uint8_t *buf;
	size_t size;
	struct kml_elf *elf;
	struct results res;
	int r;

	assert_true(elfw_add_modinfo(w, entries, ARRAY_SIZE(entries), 0) > 0);
	build(w, &buf, &size);
	run_all(buf, size, &res); /* consistency, bounds */
	elf = open_elf(buf, size);
	r = kml_elf_get_modinfo(elf, &e, &n);
	if (r >= 0) {
		size_t j = 0;
		assert_true(n == 2 || n == 3);
		assert_int_equal(e[j].key_len, 7);
		assert_string_equal(e[j++].value, "GPL");
		if (n == 3) {
			/* kept: the whole string is the key, the value is empty */
			assert_int_equal(e[j].key_len, 7);
			assert_memory_equal(e[j].key, "novalue", 7);
			assert_string_equal(e[j++].value, "");
		}
		assert_int_equal(e[j].key_len, 5);
		assert_string_equal(e[j].value, "x");
		free(e);
	}
	kml_elf_free(elf);
	free(buf);
	elfw_free(w);
}

static void test_versions(void **state)
{
	const struct combo *c = *state;
	struct elfw *w = make_module(c, BASE_CRC);
	uint64_t mask = c->cls == 64 ? UINT64_MAX : UINT32_MAX;
	char *lname = version_long_name(c->cls);
	struct kml_symbol *s = NULL;
	size_t n = 0;
	uint8_t *buf;
	size_t size;
	struct kml_elf *elf;

	build(w, &buf, &size);
	elf = open_elf(buf, size);
	assert_true(kml_elf_get_versions(elf, &s, &n) >= 0);
	assert_int_equal(n, 4);
	assert_string_equal(s[0].name, "printk");
	assert_true(s[0].crc == 0x1234);
	assert_string_equal(s[1].name, "module_layout");
	assert_true(s[1].crc == (0xdeadbeefcafebabeULL & mask));
	assert_string_equal(s[2].name, "kmalloc_trace");
	assert_true(s[2].crc == 0);
	assert_string_equal(s[3].name, lname);
	assert_true(s[3].crc == mask);
	for (size_t i = 0; i < n; i++) {
		assert_true(s[i].has_crc);
		assert_false(s[i].weak);
	}
	free(s);
	kml_elf_free(elf);
	free(buf);
	free(lname);
	elfw_free(w);
}

static void check_exports(const struct combo *c, enum base_kind kind, bool ns_strings)
{
	enum elfw_export_crc mode = kind == BASE_CRC	  ? ELFW_EXPORT_CRC
				    : kind == BASE_CRC_ABS ? ELFW_EXPORT_CRC_ABS
							   : ELFW_EXPORT_NO_CRC;
	struct elfw *w = elfw_new(c->cls, c->be, machine_for(c));
	struct kml_symbol *s = NULL;
	const struct kml_symbol *a, *g;
	size_t n = 0;
	uint8_t *buf;
	size_t size;
	struct kml_elf *elf;

	elfw_set_export_namespace_strings(w, ns_strings);
	assert_int_equal(elfw_add_export(w, "exp_a", mode, 0x11111111, false), 0);
	assert_int_equal(elfw_add_export(w, "exp_gpl", mode, 0x8badf00d, true), 0);
	assert_int_equal(elfw_add_import(w, "printk", false), 0);
	build(w, &buf, &size);
	elf = open_elf(buf, size);
	assert_true(kml_elf_get_exports(elf, &s, &n) >= 0);
	assert_int_equal(n, 2);
	a = find_sym(s, n, "exp_a");
	g = find_sym(s, n, "exp_gpl");
	assert_non_null(a);
	assert_non_null(g);
	if (kind == BASE_NOCRC) {
		assert_false(a->has_crc);
		assert_false(g->has_crc);
	} else {
		assert_true(a->has_crc);
		assert_true(g->has_crc);
		assert_true(a->crc == 0x11111111);
		assert_true(g->crc == 0x8badf00d);
	}
	free(s);
	kml_elf_free(elf);
	free(buf);
	elfw_free(w);
}

static void test_exports_crc(void **state)
{
	check_exports(*state, BASE_CRC, true);
	check_exports(*state, BASE_CRC, false);
}

static void test_exports_crc_abs(void **state)
{
	check_exports(*state, BASE_CRC_ABS, true);
}

static void test_exports_nocrc(void **state)
{
	check_exports(*state, BASE_NOCRC, true);
	check_exports(*state, BASE_NOCRC, false);
}

/* The full module: the export list does not pick up __kstrtab_ and the
 * other helper symbols. */
static void test_exports_full_module(void **state)
{
	const struct combo *c = *state;
	for (int kind = BASE_CRC; kind <= BASE_CRC_ABS; kind++) {
		struct elfw *w = make_module(c, (enum base_kind)kind);
		struct kml_symbol *s = NULL;
		size_t n = 0;
		uint8_t *buf;
		size_t size;
		struct kml_elf *elf;

		build(w, &buf, &size);
		elf = open_elf(buf, size);
		assert_true(kml_elf_get_exports(elf, &s, &n) >= 0);
		assert_int_equal(n, 2);
		assert_non_null(find_sym(s, n, "exp_a"));
		assert_non_null(find_sym(s, n, "exp_gpl"));
		free(s);
		kml_elf_free(elf);
		free(buf);
		elfw_free(w);
	}
}

/* __ksymtab_strings alone, no symbol table at all. */
static void test_exports_strings_only(void **state)
{
	const struct combo *c = *state;
	static const char strings[] = "alpha\0\0beta\0\0\0gamma\0";
	struct elfw *w = elfw_new(c->cls, c->be, machine_for(c));
	struct kml_symbol *s = NULL;
	size_t n = 0;
	uint8_t *buf;
	size_t size;
	struct kml_elf *elf;

	assert_true(elfw_add_section(w, "__ksymtab_strings", ELFW_SHT_PROGBITS,
				     ELFW_SHF_ALLOC | ELFW_SHF_MERGE | ELFW_SHF_STRINGS, strings,
				     sizeof(strings) - 1) > 0);
	elfw_set_tail_section(w, "__ksymtab_strings");
	elfw_set_shdr_first(w, true);
	build(w, &buf, &size);
	elf = open_elf(buf, size);
	assert_true(kml_elf_get_exports(elf, &s, &n) >= 0);
	assert_int_equal(n, 3);
	assert_string_equal(s[0].name, "alpha");
	assert_string_equal(s[1].name, "beta");
	assert_string_equal(s[2].name, "gamma");
	for (size_t i = 0; i < n; i++)
		assert_false(s[i].has_crc);
	free(s);
	kml_elf_free(elf);
	free(buf);
	elfw_free(w);
}

static void test_imports(void **state)
{
	const struct combo *c = *state;
	struct elfw *w = make_module(c, BASE_CRC);
	struct kml_symbol *s = NULL;
	size_t n = 0;
	uint8_t *buf;
	size_t size;
	struct kml_elf *elf;

	build(w, &buf, &size);
	elf = open_elf(buf, size);
	assert_true(kml_elf_get_imports(elf, &s, &n) >= 0);
	/* only the named undefined symbols: not exp_a, __this_module,
	 * __crc_*, the section symbol or the nameless undefined one */
	assert_int_equal(n, ARRAY_SIZE(imports));
	for (size_t i = 0; i < ARRAY_SIZE(imports); i++) {
		const struct kml_symbol *sym = find_sym(s, n, imports[i]);
		assert_non_null(sym);
		assert_int_equal(sym->weak, imports_weak[i]);
	}
	free(s);
	kml_elf_free(elf);
	free(buf);
	elfw_free(w);
}

static void test_build_id(void **state)
{
	const struct combo *c = *state;
	struct elfw *w = make_module(c, BASE_CRC);
	const uint8_t *id = NULL;
	size_t len = 0;
	uint8_t *buf;
	size_t size;
	struct kml_elf *elf;

	build(w, &buf, &size);
	elf = open_elf(buf, size);
	assert_int_equal(kml_elf_get_build_id(elf, &id, &len), 0);
	assert_int_equal(len, sizeof(build_id));
	assert_memory_equal(id, build_id, sizeof(build_id));
	kml_elf_free(elf);
	free(buf);
	elfw_free(w);
}

/* The build-id note is found after another note in the same section, and
 * its length need not be a multiple of 4. */
static void test_build_id_after_other_note(void **state)
{
	const struct combo *c = *state;
	struct elfw *w = elfw_new(c->cls, c->be, machine_for(c));
	static const uint8_t odd_id[] = { 0x01, 0x02, 0xab };
	const uint8_t *id = NULL;
	size_t len = 0;
	uint8_t *buf;
	size_t size;
	struct kml_elf *elf;

	assert_true(elfw_add_note(w, ".note.gnu.build-id", "Linux", 3, "6.1\0", 4) > 0);
	assert_true(elfw_add_note(w, ".note.gnu.build-id", "GNU", 1, "\0\0\0\0", 4) > 0);
	assert_true(elfw_add_build_id(w, odd_id, sizeof(odd_id)) > 0);
	elfw_set_tail_section(w, ".note.gnu.build-id");
	build(w, &buf, &size);
	elf = open_elf(buf, size);
	assert_int_equal(kml_elf_get_build_id(elf, &id, &len), 0);
	assert_int_equal(len, sizeof(odd_id));
	assert_memory_equal(id, odd_id, sizeof(odd_id));
	kml_elf_free(elf);
	free(buf);
	elfw_free(w);
}

/* Sections missing: zero entries, -ENODATA for the build id. */
static void test_missing_sections(void **state)
{
	const struct combo *c = *state;

	for (int variant = 0; variant < 3; variant++) {
		struct elfw *w = elfw_new(c->cls, c->be, machine_for(c));
		struct results res;
		uint8_t *buf;
		size_t size;

		if (variant == 1)
			elfw_force_symtab(w); /* empty .symtab (null symbol only) */
		if (variant == 2) {
			/* decoys with similar names */
			elfw_add_section(w, "modinfo", ELFW_SHT_PROGBITS, ELFW_SHF_ALLOC, "a=b", 4);
			elfw_add_section(w, ".modinfo.x", ELFW_SHT_PROGBITS, ELFW_SHF_ALLOC, "a=b",
					 4);
			elfw_add_section(w, "__versions_", ELFW_SHT_PROGBITS, 0, NULL, 64);
			elfw_add_section(w, ".note.gnu.build-id2", ELFW_SHT_NOTE, 0, NULL, 16);
		}
		build(w, &buf, &size);
		run_all(buf, size, &res);
		assert_int_equal(res.new_rc, 0);
		for (int g = G_MODINFO; g <= G_IMPORTS; g++) {
			assert_true(res.rc[g] >= 0);
			assert_int_equal(res.count[g], 0);
		}
		assert_int_equal(res.rc[G_BUILDID], -ENODATA);
		free(buf);
		elfw_free(w);
	}
}

/* Layout variations of a valid module give the same answers. */
static void test_layouts(void **state)
{
	const struct combo *c = *state;
	struct results ref;

	for (int variant = 0; variant < 6; variant++) {
		struct elfw *w = make_module(c, BASE_CRC);
		struct results res;
		uint8_t *buf;
		size_t size;

		switch (variant) {
		case 1:
			elfw_set_shdr_first(w, true);
			break;
		case 2:
			elfw_set_misalign(w, true);
			break;
		case 3:
			elfw_set_misalign(w, true);
			elfw_set_shdr_first(w, true);
			break;
		case 4:
			elfw_set_tail_section(w, ".symtab");
			break;
		case 5:
			elfw_clear_signature(w);
			elfw_set_tail_section(w, ".modinfo");
			break;
		}
		build(w, &buf, &size);
		run_all(buf, size, &res);
		assert_int_equal(res.new_rc, 0);
		for (int g = 0; g < G_COUNT; g++)
			assert_int_equal(res.rc[g], 0);
		if (variant == 0) {
			ref = res;
			assert_int_equal(ref.count[G_MODINFO], N_MODINFO);
			assert_int_equal(ref.count[G_VERSIONS], 4);
			assert_int_equal(ref.count[G_EXPORTS], 2);
			assert_int_equal(ref.count[G_IMPORTS], ARRAY_SIZE(imports));
			assert_int_equal(ref.count[G_BUILDID], sizeof(build_id));
		} else {
			for (int g = 0; g < G_COUNT; g++)
				assert_int_equal(res.count[g], ref.count[g]);
		}
		free(buf);
		elfw_free(w);
	}
}

/* ------------------------------------------------------- hostile inputs */

enum expect {
	MAY,	   /* anything but a crash or a contract violation */
	FAIL_NEW,  /* kml_elf_new must fail */
	FAIL_ANY,  /* kml_elf_new or one of the getters in `getters` must fail */
	NO_BAD_CRC, /* exports fail, or exp_a is absent or has no CRC */
	OK,	   /* everything must still work (trailing garbage etc.) */
};

#define GM(g) (1u << (g))

struct corruption_case {
	enum elfw_corruption kind;
	const char *target;
	uint64_t arg;
	enum expect expect;
	unsigned int getters;
	enum base_kind base;
	const char *tail; /* section placed last in the image */
};

#define SECTION_CASES(k, a, ex)                                                              \
	{ k, ".modinfo", a, ex, GM(G_MODINFO), BASE_CRC, NULL },                             \
	{ k, "__versions", a, ex, GM(G_VERSIONS), BASE_CRC, NULL },                          \
	{ k, ".symtab", a, ex, GM(G_IMPORTS), BASE_CRC, NULL },                              \
	{ k, ".strtab", a, ex, GM(G_IMPORTS), BASE_CRC, NULL },                              \
	{ k, "__kcrctab", a, ex, GM(G_EXPORTS), BASE_CRC, NULL },                            \
	{ k, "__ksymtab_strings", a, ex, GM(G_EXPORTS), BASE_NOCRC, NULL },                  \
	{ k, ".note.gnu.build-id", a, ex, GM(G_BUILDID), BASE_CRC, NULL },                   \
	{ k, ".shstrtab", a, ex, GM(G_MODINFO), BASE_CRC, NULL }

static const struct corruption_case corruption_cases[] = {
	/* ELF header */
	{ ELFW_CORRUPT_TRUNCATE, NULL, 0, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_TRUNCATE, NULL, 4, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_TRUNCATE, NULL, 20, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_TRUNCATE, NULL, 51, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_TRUNCATE, NULL, 63, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_BAD_MAGIC, NULL, 0, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_BAD_CLASS, NULL, 0, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_BAD_CLASS, NULL, 3, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_BAD_DATA, NULL, 0, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_BAD_DATA, NULL, 3, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_BAD_TYPE, NULL, 2, MAY, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHENTSIZE, NULL, 0, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHENTSIZE, NULL, 12, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHENTSIZE, NULL, 0xffff, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHOFF_PAST_END, NULL, 0, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHOFF_PAST_END, NULL, 1, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHOFF_PAST_END, NULL, 100000, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHOFF_OVERFLOW, NULL, 0, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHOFF_OVERFLOW, NULL, 1, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHOFF_OVERFLOW, NULL, 63, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHNUM, NULL, 0xffff, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHNUM, NULL, 0xff00, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHNUM, NULL, 0, MAY, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHNUM, NULL, 1, FAIL_ANY, GM(G_MODINFO), BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHNUM_EXTENDED, NULL, 0xffffffffULL, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHNUM_EXTENDED, NULL, 0xffffffffffffffffULL, FAIL_NEW, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHNUM_EXTENDED, NULL, 3, MAY, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHSTRNDX, NULL, 0, FAIL_ANY, GM(G_MODINFO), BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHSTRNDX, NULL, 1, MAY, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHSTRNDX_OUT_OF_RANGE, NULL, 0, FAIL_ANY, GM(G_MODINFO), BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHSTRNDX_OUT_OF_RANGE, NULL, 100, FAIL_ANY, GM(G_MODINFO), BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHSTRNDX_XINDEX, NULL, 0xffffffffULL, FAIL_ANY, GM(G_MODINFO), BASE_CRC,
	  NULL },

	/* section names */
	{ ELFW_CORRUPT_SH_NAME, ".modinfo", 0, FAIL_ANY, GM(G_MODINFO), BASE_CRC, NULL },
	{ ELFW_CORRUPT_SH_NAME, ".modinfo", 1000, FAIL_ANY, GM(G_MODINFO), BASE_CRC, NULL },
	{ ELFW_CORRUPT_SH_NAME, ".modinfo", 0xffff0000ULL, FAIL_ANY, GM(G_MODINFO), BASE_CRC,
	  NULL },
	{ ELFW_CORRUPT_SH_NAME, "__versions", 7, FAIL_ANY, GM(G_VERSIONS), BASE_CRC, NULL },
	{ ELFW_CORRUPT_SH_NAME, ".symtab", 7, FAIL_ANY, GM(G_IMPORTS), BASE_CRC, NULL },
	{ ELFW_CORRUPT_SH_NAME, ".shstrtab", 7, MAY, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SHSTRTAB_NO_NUL, NULL, 0, MAY, 0, BASE_CRC, ".shstrtab" },

	/* section contents out of the file */
	SECTION_CASES(ELFW_CORRUPT_SH_PAST_END, 1, FAIL_ANY),
	SECTION_CASES(ELFW_CORRUPT_SH_PAST_END, 100000, FAIL_ANY),
	SECTION_CASES(ELFW_CORRUPT_SH_OFFSET_OVERFLOW, 0, FAIL_ANY),
	SECTION_CASES(ELFW_CORRUPT_SH_OFFSET_OVERFLOW, 2, FAIL_ANY),
	SECTION_CASES(ELFW_CORRUPT_SH_SIZE_HUGE, 0, FAIL_ANY),
	SECTION_CASES(ELFW_CORRUPT_SH_SIZE_HUGE, 1, FAIL_ANY),
	SECTION_CASES(ELFW_CORRUPT_SECTION_FILL, 0xff, MAY),
	SECTION_CASES(ELFW_CORRUPT_SECTION_FILL, 0x41, MAY),
	SECTION_CASES(ELFW_CORRUPT_SH_TYPE, 8 /* NOBITS */, MAY),

	/* string sections without their final NUL, placed at the very end */
	{ ELFW_CORRUPT_MODINFO_NO_NUL, NULL, 0, MAY, 0, BASE_CRC, ".modinfo" },
	{ ELFW_CORRUPT_STRTAB_NO_NUL, NULL, 0, MAY, 0, BASE_CRC, ".strtab" },
	{ ELFW_CORRUPT_SECTION_NO_NUL, "__ksymtab_strings", 0, MAY, 0, BASE_NOCRC,
	  "__ksymtab_strings" },

	/* __versions */
	{ ELFW_CORRUPT_VERSIONS_SIZE, NULL, 1, FAIL_ANY, GM(G_VERSIONS), BASE_CRC, "__versions" },
	{ ELFW_CORRUPT_VERSIONS_SIZE, NULL, 32, FAIL_ANY, GM(G_VERSIONS), BASE_CRC, "__versions" },
	{ ELFW_CORRUPT_VERSIONS_SIZE, NULL, 63, FAIL_ANY, GM(G_VERSIONS), BASE_CRC, "__versions" },
	{ ELFW_CORRUPT_SH_SIZE, "__versions", 65, FAIL_ANY, GM(G_VERSIONS), BASE_CRC, NULL },
	{ ELFW_CORRUPT_VERSION_NAME_NO_NUL, NULL, 3, MAY, 0, BASE_CRC, "__versions" },
	{ ELFW_CORRUPT_VERSION_NAME_NO_NUL, NULL, 0, MAY, 0, BASE_CRC, "__versions" },

	/* symbol table */
	{ ELFW_CORRUPT_SH_LINK, ".symtab", 0, FAIL_ANY, GM(G_IMPORTS), BASE_CRC, NULL },
	{ ELFW_CORRUPT_SH_LINK, ".symtab", 0xffffff, FAIL_ANY, GM(G_IMPORTS), BASE_CRC, NULL },
	{ ELFW_CORRUPT_SH_LINK, ".symtab", 1, MAY, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SH_ENTSIZE, ".symtab", 0, MAY, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SH_ENTSIZE, ".symtab", 7, MAY, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SYMTAB_SIZE, NULL, 1, MAY, 0, BASE_CRC, ".symtab" },
	{ ELFW_CORRUPT_SYMTAB_SIZE, NULL, 7, MAY, 0, BASE_CRC, ".symtab" },
	{ ELFW_CORRUPT_SYM_NAME, "optional_fn", 0, FAIL_ANY, GM(G_IMPORTS), BASE_CRC, ".strtab" },
	{ ELFW_CORRUPT_SYM_NAME, "optional_fn", 1000, FAIL_ANY, GM(G_IMPORTS), BASE_CRC, NULL },
	{ ELFW_CORRUPT_SYM_NAME, "optional_fn", 0xfffff000ULL, FAIL_ANY, GM(G_IMPORTS), BASE_CRC,
	  NULL },
	{ ELFW_CORRUPT_SYM_NAME, "__crc_exp_a", 0, FAIL_ANY, GM(G_EXPORTS), BASE_CRC, NULL },
	{ ELFW_CORRUPT_SYM_SHNDX, "__crc_exp_a", 0x7fff, NO_BAD_CRC, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SYM_SHNDX, "__crc_exp_a", 0xff00, NO_BAD_CRC, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SYM_VALUE, "__crc_exp_a", 2, NO_BAD_CRC, 0, BASE_CRC, "__kcrctab" },
	{ ELFW_CORRUPT_SYM_VALUE, "__crc_exp_a", 4, NO_BAD_CRC, 0, BASE_CRC, "__kcrctab" },
	{ ELFW_CORRUPT_SYM_VALUE, "__crc_exp_a", 0xfffffffeULL, NO_BAD_CRC, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SYM_VALUE, "__crc_exp_a", 0xfffffffffffffffeULL, NO_BAD_CRC, 0, BASE_CRC,
	  NULL },
	{ ELFW_CORRUPT_SYM_SHNDX, "optional_fn", 0x7fff, MAY, 0, BASE_CRC, NULL },

	/* build-id note */
	{ ELFW_CORRUPT_NOTE_NAMESZ, NULL, 0xffffffffULL, FAIL_ANY, GM(G_BUILDID), BASE_CRC,
	  ".note.gnu.build-id" },
	{ ELFW_CORRUPT_NOTE_NAMESZ, NULL, 0xfffffffdULL, FAIL_ANY, GM(G_BUILDID), BASE_CRC,
	  ".note.gnu.build-id" },
	{ ELFW_CORRUPT_NOTE_DESCSZ, NULL, 0xffffffffULL, FAIL_ANY, GM(G_BUILDID), BASE_CRC,
	  ".note.gnu.build-id" },
	{ ELFW_CORRUPT_NOTE_DESCSZ, NULL, 0xfffffffdULL, FAIL_ANY, GM(G_BUILDID), BASE_CRC,
	  ".note.gnu.build-id" },
	{ ELFW_CORRUPT_NOTE_DESCSZ, NULL, 21, FAIL_ANY, GM(G_BUILDID), BASE_CRC,
	  ".note.gnu.build-id" },
	{ ELFW_CORRUPT_NOTE_NAMESZ, NULL, 0, MAY, 0, BASE_CRC, ".note.gnu.build-id" },
	{ ELFW_CORRUPT_NOTE_DESCSZ, NULL, 0, MAY, 0, BASE_CRC, ".note.gnu.build-id" },

	/* a broken signature trailer does not concern the ELF reader */
	{ ELFW_CORRUPT_SIG_LEN, NULL, 0xffffffffULL, OK, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SIG_SIGNER_LEN, NULL, 255, OK, 0, BASE_CRC, NULL },
	{ ELFW_CORRUPT_SIG_MAGIC, NULL, 0, OK, 0, BASE_CRC, NULL },
};

static void describe_case(char *buf, size_t len, const struct combo *c,
			  const struct corruption_case *k)
{
	snprintf(buf, len, "%s %s%s%s=%#llx%s%s", c->name, elfw_corruption_name(k->kind),
		 k->target ? ":" : "", k->target ? k->target : "", (unsigned long long)k->arg,
		 k->base == BASE_NOCRC ? " (no modversions)" : "", k->tail ? " (tail)" : "");
}

static void format_results(char *buf, size_t len, const struct results *r)
{
	if (r->new_rc < 0) {
		snprintf(buf, len, "kml_elf_new=%d", r->new_rc);
		return;
	}
	int n = snprintf(buf, len, "kml_elf_new=0");
	for (int g = 0; g < G_COUNT && n > 0 && (size_t)n < len; g++)
		n += snprintf(buf + n, len - (size_t)n, " %s=%d/%zu", getter_names[g], r->rc[g],
			      r->count[g]);
}

/* exp_a's CRC must not come from outside its section. */
static bool exp_a_crc_ok(const uint8_t *buf, size_t size)
{
	struct kml_elf *elf = NULL;
	struct kml_symbol *s = NULL;
	size_t n = 0;
	bool ok = true;

	if (kml_elf_new(buf, size, &elf) < 0)
		return true;
	if (kml_elf_get_exports(elf, &s, &n) >= 0) {
		for (size_t i = 0; i < n; i++)
			if (strcmp(s[i].name, "exp_a") == 0 && s[i].has_crc)
				ok = false;
		free(s);
	}
	kml_elf_free(elf);
	return ok;
}

static void test_corruptions(void **state)
{
	const struct combo *c = *state;
	unsigned int failures = 0, accepted_may = 0;

	for (size_t i = 0; i < ARRAY_SIZE(corruption_cases); i++) {
		const struct corruption_case *k = &corruption_cases[i];
		struct elfw *w = make_module(c, k->base);
		struct results res;
		char what[160], got[200];
		uint8_t *buf;
		size_t size;
		bool ok = true;
		int r;

		describe_case(what, sizeof(what), c, k);
		if (k->tail) {
			/* the tail section ends the buffer: no signature after it */
			elfw_set_tail_section(w, k->tail);
			elfw_clear_signature(w);
		}
		elfw_corrupt(w, k->kind, k->target, k->arg);
		r = elfw_build(w, &buf, &size);
		if (r < 0) {
			print_error("fixture cannot apply %s: %d\n", what, r);
			failures++;
			elfw_free(w);
			continue;
		}
		run_all(buf, size, &res);
		format_results(got, sizeof(got), &res);

		switch (k->expect) {
		case MAY:
			if (res.new_rc == 0)
				accepted_may++;
			if (getenv("KML_TEST_VERBOSE"))
				print_message("%s: tolerated: %s\n", what, got);
			break;
		case FAIL_NEW:
			ok = res.new_rc < 0;
			break;
		case FAIL_ANY:
			/* a corrupt note or note section is an error, not "no build id" */
			ok = res.new_rc < 0;
			for (int g = 0; g < G_COUNT && !ok; g++)
				if ((k->getters & GM(g)) && res.rc[g] < 0 &&
				    !(g == G_BUILDID && res.rc[g] == -ENODATA))
					ok = true;
			break;
		case NO_BAD_CRC:
			ok = exp_a_crc_ok(buf, size);
			break;
		case OK:
			ok = res.new_rc == 0;
			for (int g = 0; g < G_COUNT; g++)
				ok = ok && res.rc[g] >= 0;
			break;
		}
		if (!ok) {
			print_error("%s: expected %s, got %s\n", what,
				    k->expect == FAIL_NEW     ? "kml_elf_new to fail"
				    : k->expect == FAIL_ANY   ? "an error"
				    : k->expect == NO_BAD_CRC ? "no CRC read from outside __kcrctab"
							      : "success",
				    got);
			failures++;
		}
		free(buf);
		elfw_free(w);
	}
	print_message("%s: %zu corruptions, %u tolerated (allowed), %u failures\n", c->name,
		      ARRAY_SIZE(corruption_cases), accepted_may, failures);
	assert_int_equal(failures, 0);
}

/* Every prefix of a valid module: no crash; with the section headers at the
 * end, any cut before their end is rejected, any cut after it (inside the
 * signature) changes nothing. */
static void test_truncations(void **state)
{
	const struct combo *c = *state;

	for (int variant = 0; variant < 2; variant++) {
		struct elfw *w = make_module(c, BASE_CRC);
		struct elfw_layout layout;
		struct results ref, res;
		uint8_t *buf;
		size_t size;
		unsigned int failures = 0;

		if (variant == 1)
			elfw_set_shdr_first(w, true);
		build(w, &buf, &size);
		assert_int_equal(elfw_get_layout(w, &layout), 0);
		run_all(buf, size, &ref);
		assert_int_equal(ref.new_rc, 0);

		for (size_t len = 0; len <= size; len++) {
			uint8_t *cut = malloc(len ? len : 1);
			assert_non_null(cut);
			memcpy(cut, buf, len);
			run_all(cut, len, &res);
			free(cut);
			if (variant == 0 && len < layout.elf_size && res.new_rc == 0) {
				if (failures++ < 5)
					print_error("%s: cut at %zu of %zu (headers end at %zu) "
						    "accepted\n",
						    c->name, len, size, layout.elf_size);
			}
			if (len >= layout.elf_size) {
				assert_int_equal(res.new_rc, 0);
				for (int g = 0; g < G_COUNT; g++) {
					assert_int_equal(res.rc[g], ref.rc[g]);
					assert_int_equal(res.count[g], ref.count[g]);
				}
			}
		}
		free(buf);
		elfw_free(w);
		assert_int_equal(failures, 0);
	}
}

/* Random byte changes (fixed seed): no crash, no contract violation. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static void test_random_mutations(void **state)
{
	const struct combo *c = *state;
	struct elfw *w = make_module(c, BASE_CRC);
	uint64_t seed = 0x9e3779b97f4a7c15ULL ^ (uint64_t)(c->cls * 2 + c->be);
	struct elfw_layout layout;
	uint8_t *buf, *copy;
	size_t size;

	elfw_clear_signature(w);
	elfw_set_tail_section(w, ".strtab");
	build(w, &buf, &size);
	assert_int_equal(elfw_get_layout(w, &layout), 0);
	copy = malloc(size);
	assert_non_null(copy);
	for (int iter = 0; iter < 3000; iter++) {
		struct results res;
		unsigned int flips = 1 + (unsigned int)(rng_next(&seed) % 8);

		memcpy(copy, buf, size);
		for (unsigned int f = 0; f < flips; f++) {
			uint64_t v = rng_next(&seed);
			size_t pos;
			/* half of the changes hit the headers, where they matter most */
			if (v & 1) {
				size_t hdr_len = size - (size_t)layout.shoff;
				pos = (v & 2) ? (size_t)layout.shoff + (size_t)((v >> 8) % hdr_len)
					      : (size_t)((v >> 8) % 64);
			} else {
				pos = (size_t)((v >> 8) % size);
			}
			if (pos >= size)
				pos = size - 1;
			copy[pos] = (v & 4) ? (uint8_t)(v >> 32) : (uint8_t)(copy[pos] ^ (1u << ((v >> 3) & 7)));
		}
		run_all(copy, size, &res);
	}
	free(copy);
	free(buf);
	elfw_free(w);
}

/* --------------------------------------------------------- a real module */

/* net/sctp/sctp.ko of the tree $KMODLITE_TEST_ROOT/lib/modules/$KMODLITE_TEST_KVER;
 * the facts below the reference comparisons are those of Debian's build
 * SCTP_KNOWN_KVER, checked only for that version. */
#define SCTP_RELPATH "kernel/net/sctp/sctp.ko"
#define SCTP_KNOWN_KVER "6.1.0-56-amd64"
#define MODINFO_TOOL "/usr/sbin/modinfo"

static uint8_t *slurp(const char *path, size_t *ret_size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	buf = malloc((size_t)len);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*ret_size = (size_t)len;
	return buf;
}

/* The real module's path (free() it), or NULL when the tree is not given. */
static char *sctp_path(void)
{
	const char *root = getenv("KMODLITE_TEST_ROOT"), *kver = getenv("KMODLITE_TEST_KVER");
	char *path;

	if (!root || !*root || !kver || !*kver)
		return NULL;
	assert_true(asprintf(&path, "%s/lib/modules/%s/" SCTP_RELPATH, root, kver) > 0);
	assert_null(strchr(path, '\''));
	return path;
}

/* Lines of `modinfo -F FIELD PATH`, or NULL when the tool is missing. */
static char *reference_field(const char *field, const char *path)
{
	char cmd[4608];
	char *out = NULL;
	size_t len = 0, cap = 0;
	FILE *p;
	int st;

	if (access(MODINFO_TOOL, X_OK) != 0)
		return NULL;
	st = snprintf(cmd, sizeof(cmd), "%s -F %s '%s' 2>/dev/null", MODINFO_TOOL, field, path);
	assert_true(st > 0 && (size_t)st < sizeof(cmd));
	p = popen(cmd, "r");
	if (!p)
		return NULL;
	for (;;) {
		if (len + 256 > cap) {
			cap = cap ? cap * 2 : 1024;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		size_t n = fread(out + len, 1, cap - len - 1, p);
		if (n == 0)
			break;
		len += n;
	}
	st = pclose(p);
	if (!out || st != 0) {
		free(out);
		return NULL;
	}
	out[len] = '\0';
	return out;
}

/* Our values of KEY, one per line like modinfo -F prints them. */
static char *our_field(const struct kml_modinfo_entry *e, size_t n, const char *key)
{
	size_t klen = strlen(key), len = 0;
	char *out = calloc(1, 1);

	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		if (e[i].key_len != klen || memcmp(e[i].key, key, klen) != 0)
			continue;
		size_t vlen = strlen(e[i].value);
		out = realloc(out, len + vlen + 2);
		assert_non_null(out);
		memcpy(out + len, e[i].value, vlen);
		len += vlen;
		out[len++] = '\n';
		out[len] = '\0';
	}
	return out;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n;
}

static void test_real_module(void **state)
{
	static const char *const fields[] = { "license", "vermagic", "depends", "alias",
					      "description", "author", "name", "retpoline",
					      "intree" };
	/* (not parm: modinfo merges parmtype into it) */
	static const uint8_t sctp_build_id[] = {
		0x2b, 0x9e, 0x2f, 0x41, 0xc0, 0x9b, 0xeb, 0xe3, 0x97, 0x98,
		0x42, 0xe5, 0x2c, 0x3a, 0xc9, 0x97, 0x7b, 0x0a, 0x67, 0xce,
	};
	const char *kver = getenv("KMODLITE_TEST_KVER");
	struct kml_modinfo_entry *e = NULL;
	struct kml_symbol *s = NULL;
	const struct kml_symbol *sym;
	const uint8_t *id;
	size_t n = 0, size = 0, id_len = 0;
	uint8_t *buf;
	struct kml_elf *elf;
	struct results res;
	char *path, *v;
	bool known;

	(void)state;
	path = sctp_path();
	buf = path ? slurp(path, &size) : NULL;
	if (!buf) {
		free(path);
		skip();
		return; /* skip() does not return, but is not declared so */
	}
	known = streq(kver, SCTP_KNOWN_KVER);

	elf = open_elf(buf, size);
	assert_int_equal(kml_elf_class(elf), 64);
	assert_false(kml_elf_big_endian(elf));
	assert_true(kml_elf_get_modinfo(elf, &e, &n) >= 0);

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		char *ref = reference_field(fields[i], path);
		char *ours = our_field(e, n, fields[i]);

		if (ref) {
			if (strcmp(ref, ours) != 0)
				print_error("field %s: modinfo says [%s], we say [%s]\n", fields[i],
					    ref, ours);
			assert_string_equal(ours, ref);
		}
		free(ref);
		free(ours);
	}
	/* facts about this file, checked even without the reference tool */
	v = our_field(e, n, "license");
	assert_string_equal(v, "GPL\n");
	free(v);
	v = our_field(e, n, "vermagic");
	assert_true(strncmp(v, kver, strlen(kver)) == 0 && v[strlen(kver)] == ' ');
	free(v);
	if (known) {
		v = our_field(e, n, "depends");
		assert_string_equal(v, "udp_tunnel,ip6_udp_tunnel,libcrc32c\n");
		free(v);
		v = our_field(e, n, "vermagic");
		assert_string_equal(v, "6.1.0-56-amd64 SMP preempt mod_unload modversions \n");
		free(v);
		v = our_field(e, n, "alias");
		assert_int_equal(count_lines(v), 2);
		free(v);
	}
	free(e);

	assert_true(kml_elf_get_versions(elf, &s, &n) >= 0);
	assert_true(n > 0);
	assert_string_equal(s[n - 1].name, "module_layout");
	if (known) {
		assert_int_equal(n, 305);
		assert_string_equal(s[0].name, "inet_recvmsg");
		assert_true(s[0].crc == 0x2c383b21);
	}
	free(s);

	assert_true(kml_elf_get_exports(elf, &s, &n) >= 0);
	sym = find_sym(s, n, "sctp_do_peeloff");
	assert_non_null(sym);
	assert_true(sym->has_crc);
	assert_non_null(find_sym(s, n, "sctp_get_sctp_info"));
	if (known) {
		assert_int_equal(n, 5);
		assert_true(sym->crc == 0xa3f7233c);
		assert_non_null(find_sym(s, n, "sctp_transport_traverse_process"));
	}
	free(s);

	assert_true(kml_elf_get_imports(elf, &s, &n) >= 0);
	assert_non_null(find_sym(s, n, "inet_recvmsg"));
	if (known)
		assert_int_equal(n, 304);
	free(s);

	assert_int_equal(kml_elf_get_build_id(elf, &id, &id_len), 0);
	assert_int_equal(id_len, sizeof(sctp_build_id));
	if (known)
		assert_memory_equal(id, sctp_build_id, sizeof(sctp_build_id));
	kml_elf_free(elf);

	run_all(buf, size, &res);
	free(buf);
	free(path);
}

/* ------------------------------------------------------------------ main */

typedef void (*combo_test_fn)(void **state);

static const struct {
	const char *name;
	combo_test_fn fn;
} combo_tests[] = {
	{ "header", test_header },
	{ "modinfo", test_modinfo },
	{ "modinfo_padding", test_modinfo_leading_trailing_padding },
	{ "modinfo_without_equals", test_modinfo_without_equals },
	{ "versions", test_versions },
	{ "exports_crc", test_exports_crc },
	{ "exports_crc_abs", test_exports_crc_abs },
	{ "exports_nocrc", test_exports_nocrc },
	{ "exports_full_module", test_exports_full_module },
	{ "exports_strings_only", test_exports_strings_only },
	{ "imports", test_imports },
	{ "build_id", test_build_id },
	{ "build_id_after_other_note", test_build_id_after_other_note },
	{ "missing_sections", test_missing_sections },
	{ "layouts", test_layouts },
	{ "corruptions", test_corruptions },
	{ "truncations", test_truncations },
	{ "random_mutations", test_random_mutations },
};

int main(void)
{
	size_t n = ARRAY_SIZE(combo_tests) * ARRAY_SIZE(combos) + 1, k = 0;
	struct CMUnitTest *tests = calloc(n, sizeof(*tests));
	char **names = calloc(n, sizeof(*names));
	int r;

	if (!tests || !names)
		return 1;
	for (size_t t = 0; t < ARRAY_SIZE(combo_tests); t++) {
		for (size_t c = 0; c < ARRAY_SIZE(combos); c++) {
			if (asprintf(&names[k], "%s/%s", combo_tests[t].name, combos[c].name) < 0)
				return 1;
			tests[k].name = names[k];
			tests[k].test_func = combo_tests[t].fn;
			tests[k].initial_state = (void *)(uintptr_t)&combos[c];
			k++;
		}
	}
	tests[k].name = "real_module_sctp";
	tests[k].test_func = test_real_module;
	k++;

	r = _cmocka_run_group_tests("elf", tests, k, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(tests);
	return r;
}
