// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What a module's file says, as libkmod hands it out: .modinfo pairs and
 * the signature's fields, __versions, exported and needed symbols.
 *
 * Entry layouts are libkmod's, because callers depend on them: a symbol
 * entry is a 64-bit CRC followed by the name, a dependency symbol a CRC,
 * the bind byte and the name. dracut-install reads dependency-symbol lists
 * with kmod_module_symbol_get_symbol() and so gets the bind byte in front
 * of each name ("Uprintk"); it gets the same here.
 */
#include <errno.h>
#include <stdio.h>

#include "libkmod-private.h"

struct info_entry {
	char *key;
	char *value;
	char text[]; /* key, NUL, value, NUL */
};

struct symbol_entry {
	uint64_t crc;
	char symbol[];
};

struct dependency_symbol_entry {
	uint64_t crc;
	uint8_t bind;
	char symbol[];
};

static int info_append(struct kmod_list **list, const char *key, size_t key_len,
		       const char *value, size_t value_len)
{
	struct info_entry *e = malloc(sizeof(*e) + key_len + value_len + 2);
	if (!e)
		return -ENOMEM;
	e->key = e->text;
	memcpy(e->key, key, key_len);
	e->key[key_len] = '\0';
	e->value = e->key + key_len + 1;
	if (value_len)
		memcpy(e->value, value, value_len);
	e->value[value_len] = '\0';
	struct kmod_list *n = kmod_list_append(*list, e);
	if (!n) {
		free(e);
		return -ENOMEM;
	}
	*list = n;
	return 0;
}

/* Upper-case hex bytes joined by ':', a line break and two tabs after
 * every 20 bytes, as libkmod writes key ids and signatures. */
static int info_append_hex(struct kmod_list **list, const char *key, const uint8_t *bytes,
			   size_t len)
{
	struct strbuf sb = { 0 };
	int r = 0;
	for (size_t i = 0; r >= 0 && i < len; i++) {
		char piece[8];
		int n = snprintf(piece, sizeof(piece), "%02X", bytes[i]);
		if (i + 1 < len) {
			piece[n++] = ':';
			piece[n] = '\0';
		}
		r = strbuf_append(&sb, piece, (size_t)n);
		if (r >= 0 && i + 1 < len && (i + 1) % 20 == 0)
			r = strbuf_append(&sb, "\n\t\t", 3);
	}
	if (r >= 0)
		r = info_append(list, key, strlen(key), sb.data ? sb.data : "", sb.len);
	free(sb.data);
	return r;
}

static int append_entries(struct kmod_list **list, const struct kml_modinfo_entry *entries,
			  size_t count)
{
	for (size_t i = 0; i < count; i++) {
		int r = info_append(list, entries[i].key, entries[i].key_len, entries[i].value,
				    strlen(entries[i].value));
		if (r < 0)
			return r;
	}
	return 0;
}

static int append_signature(struct kmod_list **list, const struct kml_file *file)
{
	struct kml_signature *sig = NULL;
	if (kml_signature_parse(kml_file_data(file), kml_file_size(file), &sig) < 0 || !sig) {
		kml_signature_free(sig);
		return 0; /* unsigned or unreadable: no fields */
	}
	int r = info_append(list, "sig_id", 6, sig->id_type, strlen(sig->id_type));
	if (r >= 0 && sig->signer)
		r = info_append(list, "signer", 6, sig->signer, strlen(sig->signer));
	if (r >= 0 && sig->key_id_len)
		r = info_append_hex(list, "sig_key", sig->key_id, sig->key_id_len);
	if (r >= 0 && sig->hash_algo)
		r = info_append(list, "sig_hashalgo", 12, sig->hash_algo, strlen(sig->hash_algo));
	if (r >= 0 && sig->signature_len)
		r = info_append_hex(list, "signature", sig->signature, sig->signature_len);
	kml_signature_free(sig);
	return r;
}

/* The module's file, opened and parsed; -ENOENT when it has none. */
static int open_module(const struct kmod_module *mod, struct kml_file **ret_file,
		       struct kml_elf **ret_elf)
{
	const char *path = kmod_module_get_path(mod);
	if (!path)
		return -ENOENT;
	int r = kml_file_open(path, ret_file);
	if (r == 0) {
		r = kml_elf_new(kml_file_data(*ret_file), kml_file_size(*ret_file), ret_elf);
		if (r < 0) {
			kml_file_free(*ret_file);
			*ret_file = NULL;
		}
	}
	/* no module in there (not ELF, too short, a corrupt stream): libkmod
	 * calls that invalid */
	return r == -ENOEXEC || r == -EBADMSG ? -EINVAL : r;
}

static int count_list(const struct kmod_list *list)
{
	int n = 0;
	const struct kmod_list *e;
	kmod_list_foreach(e, list)
		n++;
	return n;
}

KMOD_EXPORT int kmod_module_get_info(const struct kmod_module *mod, struct kmod_list **list)
{
	if (!mod || !list)
		return -ENOENT;
	struct kmod_list *out = NULL;
	struct kml_modinfo_entry *entries = NULL;
	size_t count = 0;
	int r;
	if (!kmod_module_get_path(mod)) {
		if (!mod->builtin)
			return -ENOENT;
		char *buf = NULL;
		r = kml_builtin_get_modinfo(mod->ctx->lib, mod->name, &entries, &count, &buf);
		if (r == 0)
			r = append_entries(&out, entries, count);
		free(entries);
		free(buf);
	} else {
		struct kml_file *file = NULL;
		struct kml_elf *elf = NULL;
		r = open_module(mod, &file, &elf);
		if (r == 0)
			r = kml_elf_get_modinfo(elf, &entries, &count);
		if (r == 0)
			r = append_entries(&out, entries, count);
		if (r == 0)
			r = append_signature(&out, file);
		free(entries);
		kml_elf_free(elf);
		kml_file_free(file);
	}
	if (r < 0) {
		kmod_module_info_free_list(out);
		return r;
	}
	*list = out;
	return count_list(out);
}

KMOD_EXPORT const char *kmod_module_info_get_key(const struct kmod_list *entry)
{
	return entry ? ((const struct info_entry *)entry->data)->key : NULL;
}

KMOD_EXPORT const char *kmod_module_info_get_value(const struct kmod_list *entry)
{
	return entry ? ((const struct info_entry *)entry->data)->value : NULL;
}

KMOD_EXPORT void kmod_module_info_free_list(struct kmod_list *list)
{
	kmod_list_release_data(list);
}

static int symbol_list_append(struct kmod_list **list, const struct kml_symbol *sym,
			      int bind)
{
	size_t len = strlen(sym->name) + 1;
	void *e;
	if (bind) {
		struct dependency_symbol_entry *d = malloc(sizeof(*d) + len);
		if (d) {
			d->crc = sym->crc;
			d->bind = (uint8_t)bind;
			memcpy(d->symbol, sym->name, len);
		}
		e = d;
	} else {
		struct symbol_entry *s = malloc(sizeof(*s) + len);
		if (s) {
			s->crc = sym->crc;
			memcpy(s->symbol, sym->name, len);
		}
		e = s;
	}
	struct kmod_list *n = e ? kmod_list_append(*list, e) : NULL;
	if (!n) {
		free(e);
		return -ENOMEM;
	}
	*list = n;
	return 0;
}

static int compare_symbol_ptr(const void *a, const void *b)
{
	return strcmp((*(const struct kml_symbol *const *)a)->name,
		      (*(const struct kml_symbol *const *)b)->name);
}

/*
 * What the module needs, as libkmod lists it: the undefined symbols of its
 * symbol table in table order, each with its CRC from __versions (0 when
 * none) and bind W or U; then the __versions entries no undefined symbol
 * named (module_layout), bind U.
 */
static int dependency_symbols(const struct kml_elf *elf, struct kmod_list **list)
{
	struct kml_symbol *imports = NULL, *versions = NULL, **sorted = NULL;
	size_t n_imports = 0, n_versions = 0;
	bool *used = NULL;
	int r = kml_elf_get_imports(elf, &imports, &n_imports);
	if (r == 0)
		r = kml_elf_get_versions(elf, &versions, &n_versions);
	if (r == 0 && n_versions) {
		sorted = malloc(n_versions * sizeof(*sorted));
		used = calloc(n_versions, sizeof(*used));
		if (!sorted || !used)
			r = -ENOMEM;
	}
	if (r == 0 && sorted) {
		for (size_t i = 0; i < n_versions; i++)
			sorted[i] = &versions[i];
		qsort(sorted, n_versions, sizeof(*sorted), compare_symbol_ptr);
	}
	for (size_t i = 0; r == 0 && i < n_imports; i++) {
		struct kml_symbol sym = imports[i];
		sym.crc = 0;
		if (sorted) {
			const struct kml_symbol *key = &imports[i];
			struct kml_symbol **hit = bsearch(&key, sorted, n_versions, sizeof(*sorted),
							  compare_symbol_ptr);
			if (hit) {
				sym.crc = (*hit)->crc;
				used[*hit - versions] = true;
			}
		}
		r = symbol_list_append(list, &sym, sym.weak ? KMOD_SYMBOL_WEAK : KMOD_SYMBOL_UNDEF);
	}
	for (size_t i = 0; r == 0 && i < n_versions; i++)
		if (!used[i])
			r = symbol_list_append(list, &versions[i], KMOD_SYMBOL_UNDEF);
	free(imports);
	free(versions);
	free(sorted);
	free(used);
	return r;
}

enum symbol_kind { SYMBOLS_VERSIONS, SYMBOLS_EXPORTS, SYMBOLS_DEPENDENCIES };

static int get_symbols(const struct kmod_module *mod, struct kmod_list **list,
		       enum symbol_kind kind)
{
	if (!mod || !list)
		return -ENOENT;
	struct kml_file *file = NULL;
	struct kml_elf *elf = NULL;
	int r = open_module(mod, &file, &elf);
	if (r < 0)
		return r;
	struct kmod_list *out = NULL;
	if (kind == SYMBOLS_DEPENDENCIES) {
		r = dependency_symbols(elf, &out);
	} else {
		struct kml_symbol *syms = NULL;
		size_t count = 0;
		r = kind == SYMBOLS_VERSIONS ? kml_elf_get_versions(elf, &syms, &count)
					     : kml_elf_get_exports(elf, &syms, &count);
		for (size_t i = 0; r == 0 && i < count; i++)
			r = symbol_list_append(&out, &syms[i], 0);
		free(syms);
	}
	kml_elf_free(elf);
	kml_file_free(file);
	if (r < 0) {
		kmod_list_release_data(out);
		return r;
	}
	/* nothing of the kind: libkmod says there is no data */
	if (!out)
		return -ENODATA;
	*list = out;
	return count_list(out);
}

KMOD_EXPORT int kmod_module_get_versions(const struct kmod_module *mod, struct kmod_list **list)
{
	return get_symbols(mod, list, SYMBOLS_VERSIONS);
}

KMOD_EXPORT const char *kmod_module_version_get_symbol(const struct kmod_list *entry)
{
	return entry ? ((const struct symbol_entry *)entry->data)->symbol : NULL;
}

KMOD_EXPORT uint64_t kmod_module_version_get_crc(const struct kmod_list *entry)
{
	return entry ? ((const struct symbol_entry *)entry->data)->crc : 0;
}

KMOD_EXPORT void kmod_module_versions_free_list(struct kmod_list *list)
{
	kmod_list_release_data(list);
}

KMOD_EXPORT int kmod_module_get_symbols(const struct kmod_module *mod, struct kmod_list **list)
{
	return get_symbols(mod, list, SYMBOLS_EXPORTS);
}

KMOD_EXPORT const char *kmod_module_symbol_get_symbol(const struct kmod_list *entry)
{
	return entry ? ((const struct symbol_entry *)entry->data)->symbol : NULL;
}

KMOD_EXPORT uint64_t kmod_module_symbol_get_crc(const struct kmod_list *entry)
{
	return entry ? ((const struct symbol_entry *)entry->data)->crc : 0;
}

KMOD_EXPORT void kmod_module_symbols_free_list(struct kmod_list *list)
{
	kmod_list_release_data(list);
}

KMOD_EXPORT int kmod_module_get_dependency_symbols(const struct kmod_module *mod,
						   struct kmod_list **list)
{
	return get_symbols(mod, list, SYMBOLS_DEPENDENCIES);
}

KMOD_EXPORT const char *kmod_module_dependency_symbol_get_symbol(const struct kmod_list *entry)
{
	return entry ? ((const struct dependency_symbol_entry *)entry->data)->symbol : NULL;
}

KMOD_EXPORT int kmod_module_dependency_symbol_get_bind(const struct kmod_list *entry)
{
	return entry ? ((const struct dependency_symbol_entry *)entry->data)->bind : 0;
}

KMOD_EXPORT uint64_t kmod_module_dependency_symbol_get_crc(const struct kmod_list *entry)
{
	return entry ? ((const struct dependency_symbol_entry *)entry->data)->crc : 0;
}

KMOD_EXPORT void kmod_module_dependency_symbols_free_list(struct kmod_list *list)
{
	kmod_list_release_data(list);
}
