// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modprobe's plans for loading and removing a module: which modules, in
 * which order, with which options, by insertion or command. Pure: the
 * configuration and the indexes in, a list of steps out; conditions on the
 * kernel's state are written into the steps, and the caller checks them and
 * carries the steps out (install and remove commands run in command.c).
 *
 * Loading, in the reference's order, so that --show-depends prints the same:
 *   probe(M):   once per module name: softdeps of each of M's dependencies
 *               around that dependency (deepest first), then M with its own
 *               softdeps around it;
 *   softdeps(M): probe(each pre-softdep), M, probe(each post-softdep).
 * A module with softdeps does not run its install command (the softdep
 * replaces the old install-command idiom), as in the reference. The target
 * already in the kernel is checked before the blacklist, as the reference does.
 * A module that is `forbid`den anywhere in the plan fails the whole plan
 * (-EPERM, logged with the file and line), before any step is carried out.
 *
 * Removal, one module at a time (the caller plans each nested module when it
 * gets there, so that what the kernel says then decides, as in the
 * reference): post-softdeps last first, holders, the module or its remove
 * command, its dependencies closest first, pre-softdeps last first.
 */
#include <errno.h>
#include <stdio.h>

#include "kmodlite-private.h"

struct planner {
	struct kml_ctx *ctx;
	const struct kml_config *config;
	const char *target;
	const char *extra_options;
	bool first_time;
	bool per_alias; /* KML_PROBE_VISIT_PER_ALIAS */
	struct kml_probe_plan *plan;
	char **visited;
	size_t visited_count, visited_cap;
	char **required;
	size_t required_count, required_cap;
	unsigned int depth; /* bounds recursion through softdeps */
};

static bool name_in(char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (streq(names[i], name))
			return true;
	return false;
}

static int name_add(char ***names, size_t *n, size_t *cap, const char *name)
{
	if (name_in(*names, *n, name))
		return 0;
	if (array_grow((void **)names, cap, *n + 1, sizeof(**names)) < 0)
		return -ENOMEM;
	if (!((*names)[*n] = strdup(name)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int join_options(struct strbuf *sb, const char *part)
{
	if (!part || !*part)
		return 0;
	if (sb->len && strbuf_append(sb, " ", 1) < 0)
		return -ENOMEM;
	return strbuf_append_str(sb, part);
}

/*
 * Config options (also those given for the alias it was found through),
 * then the kernel command line's, joined by spaces; then, for the target,
 * the command line's. As in the reference, configured options are followed
 * by a space even when nothing comes after them ("insmod PATH a=1 ").
 */
static int module_options(const struct planner *p, const struct kml_module *m, char **ret)
{
	struct strbuf sb = { 0 };
	int r = join_options(&sb, kml_config_get_options(p->config, m->name));
	if (r == 0 && m->alias && !streq(m->alias, m->name))
		r = join_options(&sb, kml_config_get_options(p->config, m->alias));
	if (r == 0)
		r = join_options(&sb, kml_config_get_cmdline_options(p->config, m->name));
	if (r == 0 && sb.len)
		r = strbuf_append(&sb, " ", 1);
	if (r == 0 && streq(m->name, p->target) && p->extra_options)
		r = strbuf_append_str(&sb, p->extra_options);
	if (r == 0)
		r = strbuf_reserve(&sb, 0);
	if (r < 0) {
		free(sb.data);
		return r;
	}
	*ret = sb.data;
	return 0;
}

/* A new step at the end of PLAN, its strings in one block freed by name. */
static int add_step(struct kml_probe_plan *plan, enum kml_probe_action action, const char *name,
		    const char *path, const char *command, struct kml_probe_step **ret)
{
	if (ARRAY_GROW(plan->steps, plan->cap, plan->count + 1) < 0)
		return -ENOMEM;
	struct kml_probe_step *steps = plan->steps;
	size_t ln = strlen(name) + 1, lp = path ? strlen(path) + 1 : 0;
	size_t lc = command ? strlen(command) + 1 : 0;
	char *block = malloc(ln + lp + lc);
	if (!block)
		return -ENOMEM;
	struct kml_probe_step *s = &steps[plan->count++];
	*s = (struct kml_probe_step){ .action = action, .name = memcpy(block, name, ln) };
	if (path)
		s->path = memcpy(block + ln, path, lp);
	if (command)
		s->command = memcpy(block + ln + lp, command, lc);
	*ret = s;
	return 0;
}

/* `forbid`: every module a plan would load goes through here, before its
 * install command or insertion, so neither a dependency, a softdep nor a
 * command gets it in. */
static int check_forbidden(struct planner *p, const char *name)
{
	const char *where = kml_config_forbidden(p->config, name);
	if (!where)
		return 0;
	if (streq(name, p->target))
		kml_err(p->ctx, "%s is forbidden by %s", name, where);
	else
		kml_err(p->ctx, "%s is forbidden by %s: refusing %s, which needs it", name, where,
			p->target);
	return -EPERM;
}

static int append_step(struct planner *p, const struct kml_module *m, bool ignore_command)
{
	int r = check_forbidden(p, m->name);
	if (r < 0)
		return r;
	const char *cmd = ignore_command ? NULL : kml_config_get_install(p->config, m->name);
	char *options;
	r = module_options(p, m, &options);
	if (r < 0)
		return r;
	struct kml_probe_step *s;
	r = add_step(p->plan, cmd ? KML_PROBE_INSTALL : KML_PROBE_INSERT, m->name, m->path, cmd,
		     &s);
	if (r < 0) {
		free(options);
		return r;
	}
	s->options = options;
	s->builtin = m->builtin;
	s->target = streq(m->name, p->target);
	if (s->target && p->first_time)
		s->flags = KML_PROBE_FAIL_LOADED;
	return 0;
}

static int probe_module(struct planner *p, const struct kml_module *m, bool required,
			bool ignore_command);

/* Each module a softdep name resolves to, probed. */
static int probe_softdeps(struct planner *p, const char *const *names, size_t n)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct kml_module_list list = { 0 };
		r = kml_lookup_with_config(p->ctx, p->config, names[i], &list);
		if (r < 0) {
			kml_dbg(p->ctx, "softdep %s: %s", names[i], strerror(-r));
			r = 0; /* a softdep that cannot be resolved is skipped */
			continue;
		}
		for (size_t k = 0; r == 0 && k < list.count; k++)
			r = probe_module(p, &list.modules[k], false, false);
		kml_module_list_release(&list);
	}
	return r;
}

static int with_softdeps(struct planner *p, const struct kml_module *m)
{
	const char *const *pre = NULL, *const *post = NULL;
	size_t npre = 0, npost = 0;
	int r = kml_config_get_softdeps(p->config, m->name, &pre, &npre, &post, &npost);
	if (r < 0)
		return r;
	r = probe_softdeps(p, pre, npre);
	if (r == 0)
		r = append_step(p, m, npre + npost > 0);
	if (r == 0)
		r = probe_softdeps(p, post, npost);
	return r;
}

/* What "visited" is keyed by: the name, or with KML_PROBE_VISIT_PER_ALIAS
 * "NAME\ALIAS" for a module reached through an alias. */
static int visit_key(const struct planner *p, const struct kml_module *m, char **ret)
{
	if (p->per_alias && m->alias) {
		if (asprintf(ret, "%s\\%s", m->name, m->alias) < 0)
			return -ENOMEM;
	} else if (!(*ret = strdup(m->name))) {
		return -ENOMEM;
	}
	return 0;
}

static int probe_module(struct planner *p, const struct kml_module *m, bool required,
			bool ignore_command)
{
	char *key;
	int r = visit_key(p, m, &key);
	if (r < 0)
		return r;
	bool seen = name_in(p->visited, p->visited_count, key);
	if (!seen && p->depth > 64) {
		kml_warn(p->ctx, "softdeps of %s nested too deep, ignored", m->name);
		seen = true;
	}
	if (!seen)
		r = name_add(&p->visited, &p->visited_count, &p->visited_cap, key);
	free(key);
	if (seen || r < 0)
		return r;
	struct kml_module_list deps = { 0 };
	r = kml_module_get_dependencies(p->ctx, m->name, &deps);
	if (r < 0)
		return r;
	if (required) {
		r = name_add(&p->required, &p->required_count, &p->required_cap, m->name);
		for (size_t i = 0; r == 0 && i < deps.count; i++)
			r = name_add(&p->required, &p->required_count, &p->required_cap, deps.modules[i].name);
	}
	p->depth++;
	for (size_t i = 0; r == 0 && i < deps.count; i++)
		r = with_softdeps(p, &deps.modules[i]);
	if (r == 0)
		r = ignore_command ? append_step(p, m, true) : with_softdeps(p, m);
	p->depth--;
	kml_module_list_release(&deps);
	return r;
}

void kml_probe_plan_release(struct kml_probe_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->count; i++) {
		free(plan->steps[i].name); /* holds path and command too */
		free(plan->steps[i].options);
	}
	free(plan->steps);
	plan->steps = NULL;
	plan->count = plan->cap = 0;
}

int kml_probe_plan_insert(struct kml_ctx *ctx, const struct kml_config *config,
			  const struct kml_module *target, unsigned int flags,
			  const char *extra_options, struct kml_probe_plan *ret_plan)
{
	struct kml_probe_plan plan = { 0 };
	struct planner p = { .ctx = ctx, .config = config, .target = target->name,
			     .extra_options = extra_options,
			     .first_time = flags & KML_PROBE_FIRST_TIME,
			     .per_alias = flags & KML_PROBE_VISIT_PER_ALIAS, .plan = &plan };
	struct kml_probe_step *check;
	/* a forbidden target is refused even when it is already loaded */
	int r = check_forbidden(&p, target->name);
	if (r < 0)
		return r;
	r = add_step(&plan, KML_PROBE_IF_NOT_LOADED, target->name, NULL, NULL, &check);
	if (r == 0) {
		check->builtin = target->builtin;
		check->target = true;
		check->required = true;
		check->flags = p.first_time ? KML_PROBE_FAIL_LOADED : 0;
	}
	/* the blacklist stops loads through an alias when asked; with -b, by name too */
	bool blacklisted = r == 0 && kml_config_is_blacklisted(config, target->name) &&
			   ((target->alias && (flags & KML_PROBE_BLACKLIST_ALIAS)) ||
			    (flags & KML_PROBE_USE_BLACKLIST));
	if (r == 0 && !blacklisted && !(flags & KML_PROBE_ONLY_CHECK))
		r = probe_module(&p, target, true, flags & KML_PROBE_IGNORE_COMMANDS);
	for (size_t i = 1; r == 0 && i < plan.count; i++)
		plan.steps[i].required = name_in(p.required, p.required_count, plan.steps[i].name);
	for (size_t i = 0; i < p.visited_count; i++)
		free(p.visited[i]);
	for (size_t i = 0; i < p.required_count; i++)
		free(p.required[i]);
	free(p.visited);
	free(p.required);
	if (r < 0) {
		kml_probe_plan_release(&plan);
		return r;
	}
	*ret_plan = plan;
	return 0;
}

/* ---------------------------------------------------------------- removal */

static int add_nested(struct kml_probe_plan *plan, const char *name)
{
	struct kml_probe_step *s;
	return add_step(plan, KML_PROBE_REMOVE_NESTED, name, NULL, NULL, &s);
}

/* The modules each of NAMES resolves to, as nested removals, last first;
 * a name that cannot be resolved is skipped. */
static int add_nested_names(struct kml_ctx *ctx, const struct kml_config *config,
			    struct kml_probe_plan *plan, const char *const *names, size_t n)
{
	int r = 0;
	for (size_t i = n; r == 0 && i-- > 0;) {
		struct kml_module_list list = { 0 };
		if (kml_lookup_with_config(ctx, config, names[i], &list) < 0)
			continue;
		for (size_t k = list.count; r == 0 && k-- > 0;)
			r = add_nested(plan, list.modules[k].name);
		kml_module_list_release(&list);
	}
	return r;
}

static int plan_remove(struct kml_ctx *ctx, const struct kml_config *config, const char *name,
		       unsigned int flags, struct kml_probe_plan *plan)
{
	bool target = !(flags & KML_PROBE_NESTED);
	bool first_time = target && (flags & KML_PROBE_FIRST_TIME);
	const char *const *pre = NULL, *const *post = NULL;
	size_t npre = 0, npost = 0;
	const char *cmd = NULL;
	if (!(target && (flags & KML_PROBE_IGNORE_COMMANDS))) {
		if (kml_config_get_softdeps(config, name, &pre, &npre, &post, &npost) < 0)
			npre = npost = 0;
		cmd = kml_config_get_remove(config, name);
	}
	struct kml_probe_step *s;
	int r = 0;
	/* a remove command runs whatever the kernel says */
	if (!cmd) {
		r = add_step(plan, KML_PROBE_IF_LOADED, name, NULL, NULL, &s);
		if (r < 0)
			return r;
		s->target = s->required = target;
		s->flags = (first_time ? KML_PROBE_FAIL_ABSENT : 0) |
			   (target ? KML_PROBE_FAIL_BUILTIN : 0);
	}
	r = add_nested_names(ctx, config, plan, post, npost);
	if (r == 0 && (flags & KML_PROBE_HOLDERS_FIRST)) {
		r = add_step(plan, KML_PROBE_REMOVE_HOLDERS, name, NULL, NULL, &s);
		if (r == 0)
			s->required = true;
	}
	if (r == 0)
		r = add_step(plan, cmd ? KML_PROBE_REMOVE_COMMAND : KML_PROBE_REMOVE, name, NULL, cmd,
			     &s);
	if (r < 0)
		return r;
	s->target = s->required = target;
	if (!cmd) {
		/* a dependency still used by others stays, silently; the target
		 * in use is refused, unless the caller waits for the kernel */
		if (!target)
			s->flags = KML_PROBE_KEEP_BUSY;
		else if (!(flags & KML_PROBE_WAIT))
			s->flags = KML_PROBE_FAIL_BUSY;
		if (first_time)
			s->flags |= KML_PROBE_FAIL_ABSENT;
		struct kml_module_list deps = { 0 };
		r = kml_module_get_dependencies(ctx, name, &deps);
		if (r == -ENOMEM)
			return r;
		r = 0; /* a broken modules.dep line: no dependencies removed */
		for (size_t i = deps.count; r == 0 && i-- > 0;)
			r = add_nested(plan, deps.modules[i].name);
		kml_module_list_release(&deps);
	}
	if (r == 0)
		r = add_nested_names(ctx, config, plan, pre, npre);
	return r;
}

int kml_probe_plan_remove(struct kml_ctx *ctx, const struct kml_config *config,
			  const struct kml_module *module, unsigned int flags,
			  struct kml_probe_plan *ret_plan)
{
	if (!ctx || !config || !module || !module->name || !ret_plan)
		return -EINVAL;
	struct kml_probe_plan plan = { 0 };
	int r = plan_remove(ctx, config, module->name, flags, &plan);
	if (r < 0) {
		kml_probe_plan_release(&plan);
		return r;
	}
	*ret_plan = plan;
	return 0;
}
