// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Module ELF files (elf.c): headers, .modinfo, __versions, exports,
 * imports, build-id, and the copy stripped for a forced insertion. Input: a
 * module's bytes, plain.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "kmodlite-private.h"

static size_t touch_symbols(const struct kml_symbol *syms, size_t n)
{
	size_t t = 0;
	for (size_t i = 0; i < n; i++)
		t += fuzz_touch(syms[i].name) + (size_t)syms[i].crc + syms[i].has_crc + syms[i].weak;
	return t;
}

/* Everything the readers return, read back completely. */
static size_t read_all(const struct kml_elf *elf)
{
	struct kml_modinfo_entry *entries;
	struct kml_symbol *syms;
	const uint8_t *id;
	size_t n, len, t = 0;

	t += (size_t)kml_elf_class(elf) + kml_elf_big_endian(elf);
	if (kml_elf_get_modinfo(elf, &entries, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (entries[i].key_len && memchr(entries[i].key, '\0', entries[i].key_len))
				abort(); /* keys hold no NUL */
			t += entries[i].key_len + fuzz_touch(entries[i].value);
			if (entries[i].key_len)
				t += (unsigned char)entries[i].key[entries[i].key_len - 1];
		}
		free(entries);
	}
	if (kml_elf_get_versions(elf, &syms, &n) == 0) {
		t += touch_symbols(syms, n);
		free(syms);
	}
	if (kml_elf_get_exports(elf, &syms, &n) == 0) {
		t += touch_symbols(syms, n);
		free(syms);
	}
	if (kml_elf_get_imports(elf, &syms, &n) == 0) {
		t += touch_symbols(syms, n);
		free(syms);
	}
	if (kml_elf_get_build_id(elf, &id, &len) == 0 && len > 0)
		t += id[0] + id[len - 1];
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kml_elf *elf;
	volatile size_t sink = 0;

	if (kml_elf_new(data, size, &elf) < 0)
		return 0;
	sink += read_all(elf);
	kml_elf_free(elf);

	/* The copy insmod --force makes: still the same valid ELF after. */
	uint8_t *copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (elf_strip_for_force(copy, size, KML_INSERT_FORCE_MODVERSION | KML_INSERT_FORCE_VERMAGIC) != 0)
		abort();
	if (kml_elf_new(copy, size, &elf) != 0)
		abort();
	sink += read_all(elf);
	kml_elf_free(elf);
	free(copy);
	(void)sink;
	return 0;
}
