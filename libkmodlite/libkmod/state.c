// SPDX-License-Identifier: LGPL-2.1-or-later
/* libkmod's view of the running kernel: loaded modules, init state,
 * reference count, holders, sections and size (the library's kernel.c). */
#include <errno.h>

#include "libkmod-private.h"

/* A name no /sys/module path can hold ("", "a/b"): libkmod looks for it
 * anyway and finds nothing. */
static int not_found(int r)
{
	return r == -EINVAL ? -ENOENT : r;
}

KMOD_EXPORT int kmod_module_new_from_loaded(struct kmod_ctx *ctx, struct kmod_list **list)
{
	if (!ctx || !list)
		return -ENOENT;
	struct kml_loaded_module *mods = NULL;
	size_t count = 0;
	int r = kml_kernel_list_modules(&mods, &count);
	if (r < 0) {
		kml_err(ctx->lib, "could not open /proc/modules: %s", strerror(-r));
		return r;
	}
	struct kmod_list *l = NULL;
	for (size_t i = 0; r == 0 && i < count; i++) {
		struct kmod_module *m;
		r = module_get(ctx, mods[i].name, NULL, false, false, &m);
		if (r < 0)
			break;
		struct kmod_list *n = kmod_list_append(l, m);
		if (!n) {
			kmod_module_unref(m);
			r = -ENOMEM;
			break;
		}
		l = n;
	}
	kml_kernel_free_module_list(mods, count);
	if (r < 0) {
		kmod_module_unref_list(l);
		return r;
	}
	*list = l;
	return 0;
}

KMOD_EXPORT const char *kmod_module_initstate_str(enum kmod_module_initstate state)
{
	switch (state) {
	case KMOD_MODULE_BUILTIN: return "builtin";
	case KMOD_MODULE_LIVE: return "live";
	case KMOD_MODULE_COMING: return "coming";
	case KMOD_MODULE_GOING: return "going";
	default: return NULL;
	}
}

KMOD_EXPORT int kmod_module_get_initstate(const struct kmod_module *mod)
{
	if (!mod)
		return -ENOENT;
	module_resolve((struct kmod_module *)mod);
	if (mod->builtin)
		return KMOD_MODULE_BUILTIN;
	/* the empty name: libkmod finds no /sys/module//initstate, and the
	 * directory it stands in, /sys/module, makes the module "coming" */
	if (!mod->name[0])
		return kml_kernel_has_sys_module() ? KMOD_MODULE_COMING : -ENOENT;
	enum kml_module_state st;
	int r = not_found(kml_kernel_module_state(mod->name, &st));
	if (r < 0)
		return r;
	switch (st) {
	/* a /sys/module directory without initstate: libkmod says coming
	 * (built-in modules were recognised above, from modules.builtin) */
	case KML_STATE_BUILTIN: return KMOD_MODULE_COMING;
	case KML_STATE_LIVE: return KMOD_MODULE_LIVE;
	case KML_STATE_COMING: return KMOD_MODULE_COMING;
	case KML_STATE_GOING: return KMOD_MODULE_GOING;
	default: return -ENOENT;
	}
}

KMOD_EXPORT int kmod_module_get_refcnt(const struct kmod_module *mod)
{
	if (!mod)
		return -ENOENT;
	int v;
	int r = not_found(kml_kernel_module_refcount(mod->name, &v));
	return r < 0 ? r : v;
}

KMOD_EXPORT struct kmod_list *kmod_module_get_holders(const struct kmod_module *mod)
{
	if (!mod)
		return NULL;
	char **names = NULL;
	size_t count = 0;
	int err = not_found(kml_kernel_module_holders(mod->name, &names, &count));
	if (err < 0) {
		kml_err(mod->ctx->lib, "could not open '/sys/module/%s/holders': %s", mod->name,
			strerror(-err));
		return NULL;
	}
	struct kmod_list *list = NULL;
	int r = 0;
	for (size_t i = 0; i < count; i++) {
		struct kmod_module *m;
		if (r == 0)
			r = module_get(mod->ctx, names[i], NULL, false, false, &m);
		if (r == 0) {
			struct kmod_list *n = kmod_list_append(list, m);
			if (n)
				list = n;
			else {
				kmod_module_unref(m);
				r = -ENOMEM;
			}
		}
		free(names[i]);
	}
	free(names);
	if (r < 0) {
		kmod_module_unref_list(list);
		return NULL;
	}
	return list;
}

struct section_entry {
	unsigned long address;
	char name[];
};

KMOD_EXPORT struct kmod_list *kmod_module_get_sections(const struct kmod_module *mod)
{
	if (!mod)
		return NULL;
	struct kml_section *secs = NULL;
	size_t count = 0;
	int err = not_found(kml_kernel_module_sections(mod->name, &secs, &count));
	if (err < 0) {
		kml_err(mod->ctx->lib, "could not open '/sys/module/%s/sections': %s", mod->name,
			strerror(-err));
		return NULL;
	}
	struct kmod_list *list = NULL;
	bool failed = false;
	for (size_t i = 0; i < count; i++) {
		size_t len = strlen(secs[i].name) + 1;
		struct section_entry *s = failed ? NULL : malloc(sizeof(*s) + len);
		struct kmod_list *n = s ? kmod_list_append(list, s) : NULL;
		if (n) {
			s->address = secs[i].address;
			memcpy(s->name, secs[i].name, len);
			list = n;
		} else {
			free(s);
			failed = true;
		}
		free(secs[i].name);
	}
	free(secs);
	if (failed) {
		kmod_list_release_data(list);
		return NULL;
	}
	return list;
}

KMOD_EXPORT const char *kmod_module_section_get_name(const struct kmod_list *entry)
{
	return entry ? ((const struct section_entry *)entry->data)->name : NULL;
}

KMOD_EXPORT unsigned long kmod_module_section_get_address(const struct kmod_list *entry)
{
	/* libkmod's "no address" */
	return entry ? ((const struct section_entry *)entry->data)->address : (unsigned long)-1;
}

KMOD_EXPORT void kmod_module_section_free_list(struct kmod_list *list)
{
	kmod_list_release_data(list);
}

KMOD_EXPORT long kmod_module_get_size(const struct kmod_module *mod)
{
	if (!mod)
		return -ENOENT;
	long size = 0;
	/* the empty name: /sys/module has no coresize, so /proc/modules is read */
	int r = !mod->name[0] ? (kml_kernel_has_sys_module() ? -ENODATA : -ENOENT)
			      : not_found(kml_kernel_module_size(mod->name, &size));
	if (r != -ENODATA)
		return r < 0 ? r : size;
	/* kernels without coresize: the second field of /proc/modules */
	struct kml_loaded_module *mods = NULL;
	size_t count = 0;
	r = kml_kernel_list_modules(&mods, &count);
	if (r < 0) {
		kml_err(mod->ctx->lib, "could not open /proc/modules: %s", strerror(-r));
		return r;
	}
	long result = -ENOENT;
	for (size_t i = 0; i < count; i++)
		if (streq(mods[i].name, mod->name))
			result = (long)mods[i].size;
	kml_kernel_free_module_list(mods, count);
	return result;
}
