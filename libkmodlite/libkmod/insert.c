// SPDX-License-Identifier: LGPL-2.1-or-later
/* libkmod's insertion and removal of one module (the library's kernel.c). */
#include <errno.h>

#include "libkmod-private.h"

KMOD_EXPORT int kmod_module_insert_module(struct kmod_module *mod, unsigned int flags,
					  const char *options)
{
	if (!mod)
		return -ENOENT;
	const char *path = kmod_module_get_path(mod);
	if (!path) {
		kml_err(mod->ctx->lib, "could not find module by name='%s'", mod->name);
		return -ENOENT;
	}
	unsigned int kflags = 0;
	if (flags & KMOD_INSERT_FORCE_VERMAGIC)
		kflags |= KML_INSERT_FORCE_VERMAGIC;
	if (flags & KMOD_INSERT_FORCE_MODVERSION)
		kflags |= KML_INSERT_FORCE_MODVERSION;
	int r = kml_kernel_insert(path, options ? options : "", kflags);
	if (r == -EBADMSG) /* not a module file, as libkmod names it */
		r = -EINVAL;
	if (r < 0)
		kml_info(mod->ctx->lib, "failed to insert module '%s': %s", path, strerror(-r));
	return r;
}

KMOD_EXPORT int kmod_module_remove_module(struct kmod_module *mod, unsigned int flags)
{
	if (!mod)
		return -ENOENT;
	/* O_NONBLOCK always; O_TRUNC when forced */
	int r = kml_kernel_remove(mod->name, flags & KMOD_REMOVE_FORCE);
	if (r < 0 && !(flags & KMOD_REMOVE_NOLOG))
		kml_err(mod->ctx->lib, "could not remove '%s': %s", mod->name, strerror(-r));
	return r;
}
