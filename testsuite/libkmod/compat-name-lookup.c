// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Built against the system's libkmod (Debian 12's libkmod2 30, where
 * kmod_module_new_from_name_lookup is at LIBKMOD_5) and run on ours: the
 * dynamic linker must find that version in our libkmod.so.2.
 * Usage: compat-name-lookup DIRNAME NAME; prints what the lookup found.
 */
#include <errno.h>
#include <stdio.h>
#include <libkmod.h>

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	struct kmod_module *mod = NULL;
	int r = kmod_module_new_from_name_lookup(NULL, argv[2], &mod);
	printf("null-ctx rc=%d\n", r);
	struct kmod_ctx *ctx = kmod_new(argv[1], NULL);
	if (!ctx)
		return 1;
	r = kmod_module_new_from_name_lookup(ctx, argv[2], &mod);
	printf("rc=%d name=%s path=%s\n", r, mod ? kmod_module_get_name(mod) : "(none)",
	       mod && kmod_module_get_path(mod) ? "yes" : "no");
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return 0;
}
