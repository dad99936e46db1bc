// SPDX-License-Identifier: GPL-2.0-or-later
/* modprobe -r: unloading modules by the library's plan, each nested module
 * (holder, dependency, softdep) planned when reached. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modprobe-private.h"

static int delete_from_kernel(struct modprobe *mp, const char *name)
{
	if (mp->dry_run)
		return 0;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	long delay_us = 1000;
	for (;;) {
		int r = kml_kernel_remove(name, mp->force_remove);
		if (r == 0 || mp->wait_msec <= 0 || (r != -EAGAIN && r != -EBUSY))
			return r;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (elapsed >= mp->wait_msec)
			return r;
		struct timespec ts = { delay_us / 1000000, (delay_us % 1000000) * 1000 };
		nanosleep(&ts, NULL);
		if (delay_us < 250000)
			delay_us *= 2;
	}
}

static int remove_module(struct modprobe *mp, const char *name, unsigned int flags,
			 unsigned depth);

/* The modules holding NAME now, last first, each removed as a target. */
static int remove_holders(struct modprobe *mp, const char *name, unsigned int flags,
			  unsigned depth)
{
	char **holders = NULL;
	size_t n = 0;
	if (kml_kernel_module_holders(name, &holders, &n) < 0)
		return 0;
	int r = 0;
	for (size_t i = n; i-- > 0;) {
		if (r == 0)
			r = remove_module(mp, holders[i], flags & ~KML_PROBE_NESTED, depth + 1);
		free(holders[i]);
	}
	free(holders);
	return r;
}

/* Removal of NAME from the kernel, the plan's conditions checked first. */
static int remove_step(struct modprobe *mp, const struct kml_probe_step *s)
{
	int refs = 0;
	bool busy = (s->flags & (KML_PROBE_KEEP_BUSY | KML_PROBE_FAIL_BUSY)) &&
		    kml_kernel_module_refcount(s->name, &refs) == 0 && refs > 0;
	if (busy && (s->flags & KML_PROBE_KEEP_BUSY))
		return 1;
	if (busy) {
		if (!mp->quiet)
			tool_fatal("Module %s is in use.\n", s->name);
		return -EBUSY;
	}
	if (mp->verbose)
		printf("rmmod %s\n", s->name);
	int r = delete_from_kernel(mp, s->name);
	if (r == -ENOENT && !(s->flags & KML_PROBE_FAIL_ABSENT))
		r = 0;
	if (r < 0 && s->target && !mp->quiet)
		tool_err("could not remove '%s': %s\n", s->name, strerror(-r));
	return r;
}

static int remove_command_step(struct modprobe *mp, const struct kml_probe_step *s)
{
	if (mp->verbose || mp->dry_run)
		printf("remove %s\n", s->command);
	fflush(stdout);
	int r = mp->dry_run ? 0 : modprobe_run_command(mp, s->name, s->command, "");
	if (r > 0) {
		tool_err("Error running remove command '%s' for module %s: retcode %d\n", s->command,
			 s->name, r);
		r = -EINVAL;
	}
	return r;
}

/* IF_LOADED: 0 to go on, 1 to stop, or the failure. */
static int check_loaded(struct modprobe *mp, const struct kml_probe_step *s)
{
	enum kml_module_state state = KML_STATE_NOT_LOADED;
	(void)kml_kernel_module_state(s->name, &state);
	if (state == KML_STATE_NOT_LOADED) {
		if (!(s->flags & KML_PROBE_FAIL_ABSENT))
			return 1;
		if (!mp->quiet)
			tool_fatal("Module %s is not in kernel.\n", s->name);
		return -ENOENT;
	}
	if (state == KML_STATE_BUILTIN) {
		if (!(s->flags & KML_PROBE_FAIL_BUILTIN))
			return 1;
		if (!mp->quiet)
			tool_fatal("Module %s is builtin.\n", s->name);
		return -ENOENT;
	}
	return 0;
}

/* Removes module NAME by its plan, each nested module by its own when the
 * plan gets there; 0, or a negative errno. */
static int remove_module(struct modprobe *mp, const char *name, unsigned int flags,
			 unsigned depth)
{
	if (depth > 64)
		return 0;
	struct kml_module m = { .name = (char *)name };
	struct kml_probe_plan plan = { 0 };
	int r = kml_probe_plan_remove(mp->ctx, mp->config, &m, flags, &plan);
	if (r < 0)
		return r;
	for (size_t i = 0; i < plan.count; i++) {
		const struct kml_probe_step *s = &plan.steps[i];
		switch (s->action) {
		case KML_PROBE_IF_LOADED:
			r = check_loaded(mp, s);
			break;
		case KML_PROBE_REMOVE_NESTED:
			/* errors of dependencies and softdeps are ignored */
			(void)remove_module(mp, s->name, flags | KML_PROBE_NESTED, depth + 1);
			r = 0;
			break;
		case KML_PROBE_REMOVE_HOLDERS:
			r = remove_holders(mp, s->name, flags, depth);
			break;
		case KML_PROBE_REMOVE:
			r = remove_step(mp, s);
			break;
		case KML_PROBE_REMOVE_COMMAND:
			r = remove_command_step(mp, s);
			break;
		default:
			r = -EINVAL;
			break;
		}
		if (r != 0) {
			/* a step that stops or fails ends the plan */
			if (r > 0 || !s->required)
				r = 0;
			break;
		}
	}
	kml_probe_plan_release(&plan);
	return r;
}

int modprobe_remove(struct modprobe *mp, const char *name)
{
	struct kml_module_list list = { 0 };
	int r = modprobe_find_modules(mp, name, &list);
	if (r < 0 || list.count == 0) {
		kml_module_list_release(&list);
		return modprobe_not_found(mp, name);
	}
	int ret = 0;
	for (size_t i = 0; i < list.count; i++) {
		r = remove_module(mp, list.modules[i].name, mp->remove_flags, 0);
		if (r < 0)
			ret = r;
	}
	kml_module_list_release(&list);
	return ret;
}
