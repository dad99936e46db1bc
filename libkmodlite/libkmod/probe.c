// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kmod_module_probe_insert_module: the library's plan (probe.c: softdeps,
 * dependencies, install commands, options, in modprobe's order) carried
 * out as libkmod does it: modules already in the kernel skipped, the
 * blacklist flags, dry runs, and the caller's print_action and
 * run_install callbacks; a module forbidden by `forbid` (an addition of
 * ours) fails the probe with -EPERM, logged with its file and line.
 */
#include <errno.h>
#include <stdio.h>

#include "libkmod-private.h"

/* What libkmod counts as loaded: live or built in. */
static bool in_kernel(const struct kmod_module *mod)
{
	int state = kmod_module_get_initstate(mod);
	return state == KMOD_MODULE_LIVE || state == KMOD_MODULE_BUILTIN;
}

static bool blacklisted(const struct kmod_module *mod)
{
	return kml_config_is_blacklisted(mod->ctx->config, mod->name);
}

typedef int (*run_install_fn)(struct kmod_module *m, const char *cmdline, void *data);

static int run_install_command(struct kmod_module *m, const struct kml_probe_step *step,
			       const char *options, run_install_fn run_install, void *data)
{
	if (run_install) {
		char *cmd = NULL;
		int r = kml_command_expand(step->command, options, &cmd);
		if (r == 0)
			r = run_install(m, cmd, data);
		free(cmd);
		return r;
	}
	int r = kml_command_run(m->name, step->command, options, NULL);
	if (r != 0)
		kml_err(m->ctx->lib, "error running install command '%s' for module %s",
			step->command, m->name);
	return r > 0 ? -r : r;
}

KMOD_EXPORT int kmod_module_probe_insert_module(
	struct kmod_module *mod, unsigned int flags, const char *extra_options,
	int (*run_install)(struct kmod_module *m, const char *cmdline, void *data),
	const void *data, void (*print_action)(struct kmod_module *m, bool install,
					       const char *options))
{
	if (!mod)
		return -ENOENT;
	/* `forbid` (ours, not libkmod's): refused by every route, loaded or
	 * not; the plan refuses forbidden dependencies and softdeps */
	const char *forbidden = kml_config_forbidden(mod->ctx->config, mod->name);
	if (forbidden) {
		kml_err(mod->ctx->lib, "%s is forbidden by %s", mod->name, forbidden);
		return -EPERM;
	}
	if (!(flags & KMOD_PROBE_IGNORE_LOADED) && in_kernel(mod))
		return (flags & KMOD_PROBE_FAIL_ON_LOADED) ? -EEXIST : 0;

	/* a blacklisted target: the first blacklist flag that applies is
	 * the answer (alias-only applies to a module found through an alias) */
	unsigned int why = 0;
	if (mod->alias && (flags & KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY))
		why = KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY;
	else if (flags & KMOD_PROBE_APPLY_BLACKLIST_ALL)
		why = KMOD_PROBE_APPLY_BLACKLIST_ALL;
	else if (flags & KMOD_PROBE_APPLY_BLACKLIST)
		why = KMOD_PROBE_APPLY_BLACKLIST;
	if (why && blacklisted(mod))
		return (int)why;

	struct kmod_ctx *ctx = mod->ctx;
	module_resolve(mod);
	struct kml_module target = { .name = mod->name, .path = mod->path, .alias = mod->alias,
				     .builtin = mod->builtin };
	struct kml_probe_plan plan = { 0 };
	/* libkmod lists a module again when it is reached through another
	 * alias than before (or by name after an alias) */
	unsigned int plan_flags = KML_PROBE_VISIT_PER_ALIAS;
	if (flags & KMOD_PROBE_IGNORE_COMMAND)
		plan_flags |= KML_PROBE_IGNORE_COMMANDS;
	int r = kml_probe_plan_insert(ctx->lib, ctx->config, &target, plan_flags, extra_options,
				      &plan);
	if (r < 0)
		return r;

	size_t kept = 0;
	for (size_t i = 0; i < plan.count; i++) {
		/* every module of the plan blacklisted away: nothing to do */
		if (plan.steps[i].action == KML_PROBE_IF_NOT_LOADED)
			plan.steps[i].name[0] = '\0'; /* checked above, as libkmod does */
		else if ((flags & KMOD_PROBE_APPLY_BLACKLIST_ALL) &&
		    kml_config_is_blacklisted(ctx->config, plan.steps[i].name))
			plan.steps[i].name[0] = '\0';
		else
			kept++;
	}
	if (kept == 0) {
		kml_probe_plan_release(&plan);
		return KMOD_PROBE_APPLY_BLACKLIST_ALL;
	}

	for (size_t i = 0; i < plan.count; i++) {
		const struct kml_probe_step *step = &plan.steps[i];
		if (!step->name[0])
			continue;
		struct kmod_module *m;
		r = module_get(ctx, step->name, step->path, step->builtin,
			       step->path || step->builtin, &m);
		if (r < 0)
			break;
		/* libkmod's options: the module's, then a space and the extra
		 * ones for the target (the plan's, from the tools' rule, may
		 * differ in spacing) */
		char *options = NULL;
		const char *own = kmod_module_get_options(m);
		const char *extra = step->target ? extra_options : NULL;
		if (asprintf(&options, "%s%s%s", own ? own : "", own ? " " : "",
			     extra ? extra : "") < 0) {
			kmod_module_unref(m);
			r = -ENOMEM;
			break;
		}
		if (!(flags & KMOD_PROBE_IGNORE_LOADED) && in_kernel(m)) {
			r = -EEXIST;
		} else if (step->action == KML_PROBE_INSTALL) {
			if (print_action)
				print_action(m, true, options);
			if (!(flags & KMOD_PROBE_DRY_RUN))
				r = run_install_command(m, step, options, run_install, (void *)data);
		} else {
			if (print_action)
				print_action(m, false, options);
			if (!(flags & KMOD_PROBE_DRY_RUN))
				r = kmod_module_insert_module(
					m, flags & (KMOD_PROBE_FORCE_VERMAGIC | KMOD_PROBE_FORCE_MODVERSION),
					options);
		}
		free(options);
		kmod_module_unref(m);
		/* loaded meanwhile: an error only for the target when asked;
		 * softdeps' failures do not count */
		if (r == -EEXIST && step->target && (flags & KMOD_PROBE_FAIL_ON_LOADED))
			break;
		if (r == -EEXIST || !step->required)
			r = 0;
		else if (r < 0)
			break;
	}
	kml_probe_plan_release(&plan);
	return r;
}
