// SPDX-License-Identifier: GPL-2.0-or-later
/* modprobe: loading a module and what it needs, by the library's plan. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modprobe-private.h"

/* "Already in the kernel", as the reference means it: loaded (live), or
 * built-in by the module directory's modules.builtin. A /sys/module
 * directory without initstate (a built-in of the running kernel, which may
 * not be the one of -S) or a module still coming up do not count. */
static bool in_kernel(const struct kml_probe_step *s)
{
	if (s->builtin)
		return true;
	enum kml_module_state st;
	if (kml_kernel_module_state(s->name, &st) < 0)
		return false;
	return st == KML_STATE_LIVE;
}

static int run_step(struct modprobe *mp, const struct kml_probe_step *s,
		    const struct kml_file *verified)
{
	if (s->action == KML_PROBE_INSTALL) {
		fflush(stdout);
		int st = modprobe_run_command(mp, s->name, s->command, s->options);
		if (st < 0)
			return st;
		if (st != 0) {
			tool_err("Error running install command '%s' for module %s: retcode %d\n",
				 s->command, s->name, st);
			return -EINVAL;
		}
		return 0;
	}
	if (!s->path)
		return s->builtin ? 0 : -ENOENT;
	if (verified) /* --cert: the bytes that were checked */
		return kml_kernel_insert_image(kml_file_data(verified), kml_file_size(verified),
					       s->options, mp->insert_flags);
	return kml_kernel_insert(s->path, s->options, mp->insert_flags);
}

/* What the signature checks left for each step of a plan. */
struct verified_steps {
	bool *rejected;		 /* a softdep that does not verify: skipped */
	struct kml_file **files; /* the verified bytes, inserted as they are */
	size_t count;
};

static void verified_release(struct verified_steps *v)
{
	for (size_t i = 0; v->files && i < v->count; i++)
		kml_file_free(v->files[i]);
	free(v->files);
	free(v->rejected);
	*v = (struct verified_steps){ 0 };
}

/* --cert/--keyring: every module file the plan would insert is verified
 * before anything runs, and what was verified is what gets inserted. One
 * that is required (the target, a dependency) fails the whole load; a
 * softdep is only skipped. */
static int check_signatures(struct modprobe *mp, const struct kml_probe_plan *plan,
			    bool ignore_loaded, struct verified_steps *v)
{
	v->count = plan->count;
	v->rejected = calloc(plan->count, sizeof(*v->rejected));
	v->files = calloc(plan->count, sizeof(*v->files));
	if (!v->rejected || !v->files) {
		verified_release(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < plan->count; i++) {
		const struct kml_probe_step *s = &plan->steps[i];
		if (s->action != KML_PROBE_INSERT || !s->path || (!ignore_loaded && in_kernel(s)))
			continue;
		int r = tool_trust_check(&mp->trust, s->name, s->path, &v->files[i]);
		if (r < 0 && s->required) {
			verified_release(v);
			mp->refused = r == -EKEYREJECTED;
			return r;
		}
		v->rejected[i] = r < 0;
	}
	return 0;
}

/* Loads module M and what it needs by its plan; 0, or a negative errno. */
static int insert_module(struct modprobe *mp, const struct kml_module *m, const char *extra)
{
	bool ignore_loaded = mp->show_depends;
	bool show = mp->show_depends || mp->verbose;
	unsigned int flags = KML_PROBE_BLACKLIST_ALIAS |
			     (mp->ignore_commands ? KML_PROBE_IGNORE_COMMANDS : 0) |
			     (mp->use_blacklist ? KML_PROBE_USE_BLACKLIST : 0) |
			     (mp->first_time ? KML_PROBE_FIRST_TIME : 0);
	struct kml_probe_plan plan = { 0 };
	/* The first step alone, then the rest: a module already in the kernel
	 * (most of udev's requests) costs no planning, and a broken index
	 * entry of its dependencies does not fail it (as kmod). */
	int r = kml_probe_plan_insert(mp->ctx, mp->config, m, flags | KML_PROBE_ONLY_CHECK, extra,
				      &plan);
	if (r < 0)
		return r;
	const struct kml_probe_step *check = &plan.steps[0];
	bool done = !ignore_loaded && in_kernel(check);
	if (done)
		r = check->flags & KML_PROBE_FAIL_LOADED ? -EEXIST : 0;
	kml_probe_plan_release(&plan);
	if (done)
		return r;
	r = kml_probe_plan_insert(mp->ctx, mp->config, m, flags, extra, &plan);
	if (r < 0)
		return r;
	struct verified_steps verified = { 0 };
	if (mp->trust.keyring) {
		r = check_signatures(mp, &plan, ignore_loaded, &verified);
		if (r < 0) {
			kml_probe_plan_release(&plan);
			return r;
		}
	}
	for (size_t i = 0; i < plan.count; i++) {
		const struct kml_probe_step *s = &plan.steps[i];
		if (s->action == KML_PROBE_IF_NOT_LOADED)
			continue; /* checked above */
		if (verified.rejected && verified.rejected[i])
			continue; /* a softdep that does not verify: reported */
		if (!ignore_loaded && in_kernel(s)) {
			r = -EEXIST;
		} else {
			if (show)
				modprobe_print_step(mp, s);
			r = mp->dry_run ? 0 : run_step(mp, s, verified.files ? verified.files[i] : NULL);
		}
		if (r == -EEXIST && (s->flags & KML_PROBE_FAIL_LOADED))
			break;
		if (r == -EEXIST || !s->required)
			r = 0;
		else if (r < 0)
			break;
	}
	verified_release(&verified);
	kml_probe_plan_release(&plan);
	return r;
}

static void report_insert_error(const char *name, int err)
{
	switch (err) {
	case -EEXIST:
		tool_err("could not insert '%s': Module already in kernel\n", name);
		break;
	case -ENOENT:
		tool_err("could not insert '%s': Unknown symbol in module, or unknown parameter (see dmesg)\n",
			 name);
		break;
	default:
		tool_err("could not insert '%s': %s\n", name, strerror(-err));
		break;
	}
}

int modprobe_insert(struct modprobe *mp, const char *name, const char *extra)
{
	struct kml_module_list list = { 0 };
	int r = modprobe_find_modules(mp, name, &list);
	if (r < 0)
		return modprobe_not_found(mp, name);
	if (list.count == 0)
		return modprobe_not_found(mp, name);
	int ret = 0;
	for (size_t i = 0; i < list.count; i++) {
		mp->refused = false;
		r = insert_module(mp, &list.modules[i], extra);
		if (r < 0) {
			/* a refused signature was reported with its reason */
			if (!mp->quiet && !mp->refused)
				report_insert_error(list.modules[i].name, r);
			ret = r;
		}
	}
	kml_module_list_release(&list);
	return ret;
}
