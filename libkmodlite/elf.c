// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Bounds-checked reading of kernel module ELF files: ELF32 and ELF64, both
 * byte orders. Every offset and size taken from the file is checked against
 * the file's length before it is used; strings must end inside their section.
 */
#include <elf.h>
#include <errno.h>

#include "kmodlite-private.h"

struct elf_section {
	const char *name;
	uint32_t type;
	uint64_t flags;
	uint64_t offset;
	uint64_t size;
	uint32_t link;
	uint64_t entsize;
};

struct kml_elf {
	const uint8_t *data;
	size_t size;
	bool is64;
	bool big_endian;
	uint64_t shoff;
	uint32_t shnum;
	uint32_t shentsize;
	const char *shstrtab;
	uint64_t shstrtab_size;
	struct elf_section *sections; /* all headers, checked and decoded once */
};

static uint64_t read_uint(const struct kml_elf *elf, uint64_t offset, unsigned width)
{
	const uint8_t *p = elf->data + offset;
	bool swap = elf->big_endian != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
	switch (width) {
	case 2: {
		uint16_t v;
		memcpy(&v, p, 2);
		return swap ? __builtin_bswap16(v) : v;
	}
	case 4: {
		uint32_t v;
		memcpy(&v, p, 4);
		return swap ? __builtin_bswap32(v) : v;
	}
	default: {
		uint64_t v;
		memcpy(&v, p, 8);
		return swap ? __builtin_bswap64(v) : v;
	}
	}
}

/* Reads a field of WIDTH bytes at OFFSET; the caller checked the range. */
#define U16(e, o) ((uint16_t)read_uint(e, o, 2))
#define U32(e, o) ((uint32_t)read_uint(e, o, 4))
#define UADDR(e, o) (read_uint(e, o, (e)->is64 ? 8 : 4))

/* NUL-terminated string at OFFSET inside [base, base+len), or NULL. */
static const char *string_at(const struct kml_elf *elf, uint64_t base, uint64_t len, uint64_t offset)
{
	if (offset >= len)
		return NULL;
	const char *s = (const char *)elf->data + base + offset;
	if (!memchr(s, '\0', len - offset))
		return NULL;
	return s;
}

static int section_get(const struct kml_elf *elf, uint32_t index, struct elf_section *ret)
{
	if (index >= elf->shnum)
		return -ENOEXEC;
	uint64_t h = elf->shoff + (uint64_t)index * elf->shentsize;
	struct elf_section s;
	uint32_t name_off = U32(elf, h);
	s.type = U32(elf, h + 4);
	if (elf->is64) {
		s.flags = read_uint(elf, h + 8, 8);
		s.offset = read_uint(elf, h + 24, 8);
		s.size = read_uint(elf, h + 32, 8);
		s.link = U32(elf, h + 40);
		s.entsize = read_uint(elf, h + 56, 8);
	} else {
		s.flags = U32(elf, h + 8);
		s.offset = U32(elf, h + 16);
		s.size = U32(elf, h + 20);
		s.link = U32(elf, h + 24);
		s.entsize = U32(elf, h + 36);
	}
	/* SHT_NOBITS occupies no bytes in the file */
	if (s.type == SHT_NOBITS)
		s.size = 0;
	if (!range_ok(s.offset, s.size, elf->size))
		return -ENOEXEC;
	s.name = elf->shstrtab ? string_at(elf, (uint64_t)(elf->shstrtab - (const char *)elf->data),
					  elf->shstrtab_size, name_off)
			       : NULL;
	*ret = s;
	return 0;
}

/* Finds the section called NAME: 0 and *ret, -ENODATA when absent. */
static int section_find(const struct kml_elf *elf, const char *name, struct elf_section *ret)
{
	for (uint32_t i = 1; i < elf->shnum; i++) {
		if (streq(elf->sections[i].name, name)) {
			*ret = elf->sections[i];
			return 0;
		}
	}
	return -ENODATA;
}

/* Section INDEX as referenced from inside the file (sh_link, st_shndx). */
static int section_by_index(const struct kml_elf *elf, uint32_t index, struct elf_section *ret)
{
	if (index == 0 || index >= elf->shnum)
		return -ENOEXEC;
	*ret = elf->sections[index];
	return 0;
}

int kml_elf_new(const void *data, size_t size, struct kml_elf **ret_elf)
{
	const uint8_t *d = data;
	if (size < EI_NIDENT || memcmp(d, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	struct kml_elf e = { .data = d, .size = size };
	switch (d[EI_CLASS]) {
	case ELFCLASS32:
		e.is64 = false;
		break;
	case ELFCLASS64:
		e.is64 = true;
		break;
	default:
		return -ENOEXEC;
	}
	switch (d[EI_DATA]) {
	case ELFDATA2LSB:
		e.big_endian = false;
		break;
	case ELFDATA2MSB:
		e.big_endian = true;
		break;
	default:
		return -ENOEXEC;
	}
	size_t ehdr_size = e.is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	if (size < ehdr_size)
		return -ENOEXEC;
	uint32_t shstrndx;
	if (e.is64) {
		e.shoff = read_uint(&e, offsetof(Elf64_Ehdr, e_shoff), 8);
		e.shentsize = U16(&e, offsetof(Elf64_Ehdr, e_shentsize));
		e.shnum = U16(&e, offsetof(Elf64_Ehdr, e_shnum));
		shstrndx = U16(&e, offsetof(Elf64_Ehdr, e_shstrndx));
	} else {
		e.shoff = U32(&e, offsetof(Elf32_Ehdr, e_shoff));
		e.shentsize = U16(&e, offsetof(Elf32_Ehdr, e_shentsize));
		e.shnum = U16(&e, offsetof(Elf32_Ehdr, e_shnum));
		shstrndx = U16(&e, offsetof(Elf32_Ehdr, e_shstrndx));
	}
	size_t shdr_size = e.is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	if (e.shnum == 0 || e.shentsize < shdr_size)
		return -ENOEXEC;
	/* Extended numbering (e_shnum 0, e_shstrndx SHN_XINDEX) is not used by modules. */
	if (!range_ok(e.shoff, (uint64_t)e.shnum * e.shentsize, size))
		return -ENOEXEC;
	if (shstrndx == SHN_UNDEF || shstrndx >= e.shnum)
		return -ENOEXEC;
	struct elf_section strsec;
	if (section_get(&e, shstrndx, &strsec) < 0 || strsec.size == 0)
		return -ENOEXEC;
	e.shstrtab = (const char *)d + strsec.offset;
	e.shstrtab_size = strsec.size;
	/* Check and decode every section header once, so a damaged one is an
	 * error here rather than a section that silently goes missing later. */
	e.sections = calloc(e.shnum, sizeof(*e.sections));
	if (!e.sections)
		return -ENOMEM;
	for (uint32_t i = 1; i < e.shnum; i++) {
		if (section_get(&e, i, &e.sections[i]) < 0 || !e.sections[i].name) {
			free(e.sections);
			return -ENOEXEC;
		}
	}

	struct kml_elf *elf = malloc(sizeof(*elf));
	if (!elf) {
		free(e.sections);
		return -ENOMEM;
	}
	*elf = e;
	*ret_elf = elf;
	return 0;
}

void kml_elf_free(struct kml_elf *elf)
{
	if (elf)
		free(elf->sections);
	free(elf);
}

int kml_elf_class(const struct kml_elf *elf)
{
	return elf->is64 ? 64 : 32;
}

bool kml_elf_big_endian(const struct kml_elf *elf)
{
	return elf->big_endian;
}

int kml_elf_get_modinfo(const struct kml_elf *elf, struct kml_modinfo_entry **ret_entries,
			size_t *ret_count)
{
	struct elf_section s;
	struct kml_modinfo_entry *entries = NULL;
	size_t count = 0, cap = 0;
	if (section_find(elf, ".modinfo", &s) == 0) {
		const char *p = (const char *)elf->data + s.offset;
		const char *end = p + s.size;
		while (p < end) {
			if (*p == '\0') { /* padding between entries */
				p++;
				continue;
			}
			const char *nul = memchr(p, '\0', (size_t)(end - p));
			if (!nul) {
				free(entries);
				return -EBADMSG;
			}
			const char *eq = memchr(p, '=', (size_t)(nul - p));
			struct kml_modinfo_entry e = {
				.key = p,
				.key_len = eq ? (size_t)(eq - p) : (size_t)(nul - p),
				.value = eq ? eq + 1 : nul,
			};
			if (ARRAY_GROW(entries, cap, count + 1) < 0) {
				free(entries);
				return -ENOMEM;
			}
			entries[count++] = e;
			p = nul + 1;
		}
	}
	*ret_entries = entries;
	*ret_count = count;
	return 0;
}

int kml_elf_get_versions(const struct kml_elf *elf, struct kml_symbol **ret_symbols,
			 size_t *ret_count)
{
	const uint64_t record = 64;
	struct elf_section s;
	struct kml_symbol *syms = NULL;
	size_t count = 0;
	if (section_find(elf, "__versions", &s) == 0 && s.size > 0) {
		if (s.size % record != 0)
			return -EBADMSG;
		unsigned crc_len = elf->is64 ? 8 : 4;
		size_t n = (size_t)(s.size / record);
		syms = calloc(n, sizeof(*syms));
		if (!syms)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			uint64_t off = s.offset + i * record;
			const char *name = string_at(elf, off + crc_len, record - crc_len, 0);
			if (!name) {
				free(syms);
				return -EBADMSG;
			}
			syms[count++] = (struct kml_symbol){
				.name = name,
				.crc = read_uint(elf, off, crc_len),
				.has_crc = true,
			};
		}
	}
	*ret_symbols = syms;
	*ret_count = count;
	return 0;
}

/* The symbol table and its string table, checked. */
struct symtab {
	struct elf_section sym;
	struct elf_section str;
	uint64_t entsize;
	uint64_t count;
};

static int symtab_open(const struct kml_elf *elf, struct symtab *ret)
{
	struct symtab t;
	if (section_find(elf, ".symtab", &t.sym) < 0)
		return -ENODATA;
	t.entsize = elf->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	if (t.sym.size % t.entsize != 0)
		return -EBADMSG;
	if (section_by_index(elf, t.sym.link, &t.str) < 0 || t.str.type != SHT_STRTAB)
		return -EBADMSG;
	t.count = t.sym.size / t.entsize;
	*ret = t;
	return 0;
}

struct elf_sym {
	const char *name;
	uint64_t value;
	uint16_t shndx;
	unsigned char bind;
};

static int symtab_get(const struct kml_elf *elf, const struct symtab *t, uint64_t i,
		      struct elf_sym *ret)
{
	uint64_t o = t->sym.offset + i * t->entsize;
	uint32_t name;
	unsigned char info;
	if (elf->is64) {
		name = U32(elf, o);
		info = elf->data[o + 4];
		ret->shndx = U16(elf, o + 6);
		ret->value = read_uint(elf, o + 8, 8);
	} else {
		name = U32(elf, o);
		ret->value = U32(elf, o + 4);
		info = elf->data[o + 12];
		ret->shndx = U16(elf, o + 14);
	}
	ret->bind = info >> 4;
	ret->name = string_at(elf, t->str.offset, t->str.size, name);
	return ret->name ? 0 : -EBADMSG;
}

static const char crc_prefix[] = "__crc_";

/* Exports from __crc_SYM symbols (modules built with modversions). */
static int exports_from_crcs(const struct kml_elf *elf, const struct symtab *t,
			     struct kml_symbol **syms, size_t *count, size_t *cap)
{
	for (uint64_t i = 1; i < t->count; i++) {
		struct elf_sym es;
		if (symtab_get(elf, t, i, &es) < 0)
			return -EBADMSG;
		if (strncmp(es.name, crc_prefix, sizeof(crc_prefix) - 1) != 0)
			continue;
		struct kml_symbol sym = { .name = es.name + sizeof(crc_prefix) - 1, .has_crc = true };
		if (es.shndx == SHN_ABS) {
			sym.crc = es.value; /* old kernels: the value is the CRC */
		} else if (es.shndx != SHN_UNDEF && es.shndx < SHN_LORESERVE) {
			struct elf_section cs;
			if (section_by_index(elf, es.shndx, &cs) < 0 || !range_ok(es.value, 4, cs.size))
				return -EBADMSG;
			sym.crc = U32(elf, cs.offset + es.value);
		} else {
			continue;
		}
		if (ARRAY_GROW(*syms, *cap, *count + 1) < 0)
			return -ENOMEM;
		(*syms)[(*count)++] = sym;
	}
	return 0;
}

int kml_elf_get_exports(const struct kml_elf *elf, struct kml_symbol **ret_symbols,
			size_t *ret_count)
{
	struct kml_symbol *syms = NULL;
	size_t count = 0, cap = 0;
	struct symtab t;
	int r = symtab_open(elf, &t);
	if (r == 0)
		r = exports_from_crcs(elf, &t, &syms, &count, &cap);
	else if (r == -ENODATA)
		r = 0;
	if (r == 0 && count == 0) {
		/* No modversions: the names in __ksymtab_strings, without CRCs. */
		struct elf_section s;
		if (section_find(elf, "__ksymtab_strings", &s) == 0) {
			const char *p = (const char *)elf->data + s.offset;
			const char *end = p + s.size;
			while (r == 0 && p < end) {
				if (*p == '\0') {
					p++;
					continue;
				}
				const char *nul = memchr(p, '\0', (size_t)(end - p));
				if (!nul) {
					r = -EBADMSG;
					break;
				}
				r = ARRAY_GROW(syms, cap, count + 1);
				if (r == 0)
					syms[count++] = (struct kml_symbol){ .name = p };
				p = nul + 1;
			}
		}
	}
	if (r < 0) {
		free(syms);
		return r;
	}
	*ret_symbols = syms;
	*ret_count = count;
	return 0;
}

int kml_elf_get_imports(const struct kml_elf *elf, struct kml_symbol **ret_symbols,
			size_t *ret_count)
{
	struct kml_symbol *syms = NULL;
	size_t count = 0, cap = 0;
	struct symtab t;
	int r = symtab_open(elf, &t);
	if (r == -ENODATA) {
		r = 0;
		t.count = 0;
	}
	for (uint64_t i = 1; r == 0 && i < t.count; i++) {
		struct elf_sym es;
		r = symtab_get(elf, &t, i, &es);
		if (r < 0 || es.shndx != SHN_UNDEF || es.name[0] == '\0')
			continue;
		r = ARRAY_GROW(syms, cap, count + 1);
		if (r == 0)
			syms[count++] = (struct kml_symbol){ .name = es.name,
							     .weak = es.bind == STB_WEAK };
	}
	if (r < 0) {
		free(syms);
		return r;
	}
	*ret_symbols = syms;
	*ret_count = count;
	return 0;
}

int kml_elf_get_build_id(const struct kml_elf *elf, const uint8_t **ret_id, size_t *ret_len)
{
	struct elf_section s;
	if (section_find(elf, ".note.gnu.build-id", &s) < 0)
		return -ENODATA;
	uint64_t off = 0;
	while (range_ok(off, 12, s.size)) {
		uint64_t namesz = U32(elf, s.offset + off);
		uint64_t descsz = U32(elf, s.offset + off + 4);
		uint32_t type = U32(elf, s.offset + off + 8);
		uint64_t name_off = off + 12;
		uint64_t desc_off = name_off + ((namesz + 3) & ~(uint64_t)3);
		if (!range_ok(name_off, namesz, s.size) || !range_ok(desc_off, descsz, s.size))
			return -EBADMSG;
		if (type == NT_GNU_BUILD_ID && namesz == 4 &&
		    memcmp(elf->data + s.offset + name_off, "GNU", 4) == 0) {
			if (descsz == 0)
				return -ENODATA;
			*ret_id = elf->data + s.offset + desc_off;
			*ret_len = (size_t)descsz;
			return 0;
		}
		off = desc_off + ((descsz + 3) & ~(uint64_t)3);
	}
	return -ENODATA;
}

static void write_uint(uint8_t *p, bool big_endian, unsigned width, uint64_t v)
{
	for (unsigned i = 0; i < width; i++) {
		unsigned shift = 8 * (big_endian ? width - 1 - i : i);
		p[i] = (uint8_t)(v >> shift);
	}
}

int elf_strip_for_force(uint8_t *image, size_t size, unsigned int flags)
{
	struct kml_elf *elf;
	int r = kml_elf_new(image, size, &elf);
	if (r < 0)
		return r;
	for (uint32_t i = 1; i < elf->shnum; i++) {
		const struct elf_section *s = &elf->sections[i];
		if ((flags & KML_INSERT_FORCE_MODVERSION) && streq(s->name, "__versions")) {
			/* Not allocated: the kernel no longer sees the CRCs. */
			uint64_t h = elf->shoff + (uint64_t)i * elf->shentsize;
			write_uint(image + h + 8, elf->big_endian, elf->is64 ? 8 : 4,
				   s->flags & ~(uint64_t)SHF_ALLOC);
		}
		if ((flags & KML_INSERT_FORCE_VERMAGIC) && streq(s->name, ".modinfo")) {
			/* Zero each "vermagic=..." string up to its NUL (or the section's end). */
			uint8_t *p = image + s->offset;
			uint8_t *end = p + s->size;
			static const char key[] = "vermagic=";
			while (p < end) {
				uint8_t *nul = memchr(p, '\0', (size_t)(end - p));
				uint8_t *stop = nul ? nul : end;
				if ((size_t)(stop - p) >= sizeof(key) - 1 &&
				    memcmp(p, key, sizeof(key) - 1) == 0)
					memset(p, 0, (size_t)(stop - p));
				if (!nul)
					break;
				p = nul + 1;
			}
		}
	}
	kml_elf_free(elf);
	return 0;
}
