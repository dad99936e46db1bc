// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modprobe's plan for loading a module: which modules, in which order, with
 * which options, by insertion or install command. Pure: the configuration
 * and the indexes in, a list of steps out; the caller checks the kernel's
 * state and carries the steps out.
 *
 * The order is the reference's, so that --show-depends prints the same:
 *   probe(M):   once per module name: softdeps of each of M's dependencies
 *               around that dependency (deepest first), then M with its own
 *               softdeps around it;
 *   softdeps(M): probe(each pre-softdep), M, probe(each post-softdep).
 * A module with softdeps does not run its install command (the softdep
 * replaces the old install-command idiom), as in the reference.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adapter-support.h"

struct planner {
	struct kml_ctx *ctx;
	const struct kml_config *config;
	const char *target;
	const char *extra_options;
	struct kml_probe_plan *plan;
	char **visited;
	size_t visited_count;
	char **required;
	size_t required_count;
	unsigned int depth; /* bounds recursion through softdeps */
};

static bool name_in(char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (streq(names[i], name))
			return true;
	return false;
}

static int name_add(char ***names, size_t *n, const char *name)
{
	if (name_in(*names, *n, name))
		return 0;
	char **nn = reallocarray(*names, *n + 1, sizeof(*nn));
	if (!nn)
		return -ENOMEM;
	*names = nn;
	if (!(nn[*n] = strdup(name)))
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

static int append_step(struct planner *p, const struct kml_module *m, bool ignore_command)
{
	struct kml_probe_plan *plan = p->plan;
	struct kml_probe_step *steps = reallocarray(plan->steps, plan->count + 1, sizeof(*steps));
	if (!steps)
		return -ENOMEM;
	plan->steps = steps;
	struct kml_probe_step *s = &steps[plan->count];
	*s = (struct kml_probe_step){ .action = KML_PROBE_INSERT, .builtin = m->builtin,
				      .target = streq(m->name, p->target) };
	const char *cmd = ignore_command ? NULL : kml_config_get_install(p->config, m->name);
	int r = module_options(p, m, &s->options);
	/* one block: name, then path and command; freed by name */
	size_t ln = strlen(m->name) + 1, lp = m->path ? strlen(m->path) + 1 : 0;
	size_t lc = cmd ? strlen(cmd) + 1 : 0;
	char *block = r < 0 ? NULL : malloc(ln + lp + lc);
	if (!block) {
		free(s->options);
		return -ENOMEM;
	}
	s->name = memcpy(block, m->name, ln);
	if (m->path)
		s->path = memcpy(block + ln, m->path, lp);
	if (cmd) {
		s->action = KML_PROBE_INSTALL;
		s->command = memcpy(block + ln + lp, cmd, lc);
	}
	plan->count++;
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

static int probe_module(struct planner *p, const struct kml_module *m, bool required,
			bool ignore_command)
{
	if (name_in(p->visited, p->visited_count, m->name))
		return 0;
	if (p->depth > 64) {
		kml_warn(p->ctx, "softdeps of %s nested too deep, ignored", m->name);
		return 0;
	}
	int r = name_add(&p->visited, &p->visited_count, m->name);
	if (r < 0)
		return r;
	struct kml_module_list deps = { 0 };
	r = kml_module_get_dependencies(p->ctx, m->name, &deps);
	if (r < 0)
		return r;
	if (required) {
		r = name_add(&p->required, &p->required_count, m->name);
		for (size_t i = 0; r == 0 && i < deps.count; i++)
			r = name_add(&p->required, &p->required_count, deps.modules[i].name);
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
	plan->count = 0;
}

int kml_probe_plan_insert(struct kml_ctx *ctx, const struct kml_config *config,
			  const struct kml_module *target, unsigned int flags,
			  const char *extra_options, struct kml_probe_plan *ret_plan)
{
	struct kml_probe_plan plan = { 0 };
	struct planner p = { .ctx = ctx, .config = config, .target = target->name,
			     .extra_options = extra_options, .plan = &plan };
	int r = probe_module(&p, target, true, flags & KML_PROBE_IGNORE_COMMANDS);
	for (size_t i = 0; r == 0 && i < plan.count; i++)
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

int kml_probe_run_command(const char *name, const char *command, const char *options)
{
	char *cmd = NULL;
	int r = kml_probe_expand_command(command, options, &cmd);
	if (r < 0)
		return r;
	pid_t pid = fork();
	if (pid < 0) {
		r = -errno;
		free(cmd);
		return r;
	}
	if (pid == 0) {
		setenv("MODPROBE_MODULE", name, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int kml_probe_expand_command(const char *command, const char *options, char **ret_command)
{
	/* $CMDLINE_OPTS, wherever it appears, becomes the options */
	static const char var[] = "$CMDLINE_OPTS";
	struct strbuf sb = { 0 };
	const char *p = command;
	int r = 0;
	for (const char *hit; r == 0 && (hit = strstr(p, var));) {
		r = strbuf_append(&sb, p, (size_t)(hit - p));
		if (r == 0)
			r = strbuf_append_str(&sb, options ? options : "");
		p = hit + sizeof(var) - 1;
	}
	if (r == 0)
		r = strbuf_append(&sb, p, strlen(p) + 1);
	if (r < 0) {
		free(sb.data);
		return r;
	}
	*ret_command = sb.data;
	return 0;
}
