// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Install and remove commands: the shell line of a modprobe.d `install` or
 * `remove` directive, run with /bin/sh -c. The one place that builds such a
 * command's text ($CMDLINE_OPTS replaced) and its whole environment (this
 * process's, MODPROBE_MODULE, and what the caller adds), so the planner in
 * probe.c stays free of processes.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adapter-support.h"

extern char **environ;

int kml_command_expand(const char *command, const char *options, char **ret)
{
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
		r = strbuf_append_str(&sb, p);
	if (r < 0) {
		free(sb.data);
		return r;
	}
	*ret = sb.data;
	return 0;
}

/* Length of the "NAME" of "NAME=VALUE" (all of it without '='). */
static size_t var_name_len(const char *entry)
{
	return strcspn(entry, "=");
}

static bool same_var(const char *a, const char *b)
{
	size_t n = var_name_len(a);
	return n == var_name_len(b) && strncmp(a, b, n) == 0;
}

/*
 * The command's environment: this process's, each of SET ("VAR=VALUE")
 * taking the place of a variable of that name or else added at the end, as
 * setenv() would do. The strings are borrowed; free() only the array.
 */
static int build_env(const char *const *set, size_t nset, char ***ret)
{
	size_t n = 0;
	while (environ && environ[n])
		n++;
	char **env = calloc(n + nset + 1, sizeof(*env));
	if (!env)
		return -ENOMEM;
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		env[count++] = environ[i];
	for (size_t k = 0; k < nset; k++) {
		size_t i = 0;
		while (i < count && !same_var(env[i], set[k]))
			i++;
		env[i] = (char *)set[k];
		if (i == count)
			count++;
	}
	env[count] = NULL;
	*ret = env;
	return 0;
}

int kml_command_run(const char *name, const char *command, const char *options,
		    const char *const *env)
{
	if (!name || !command)
		return -EINVAL;
	size_t nenv = 0;
	while (env && env[nenv])
		nenv++;
	/* MODPROBE_MODULE first, so that ENV can still override it */
	const char **set = calloc(nenv + 1, sizeof(*set));
	char *module_var = NULL, *text = NULL, **envp = NULL;
	int r = set ? 0 : -ENOMEM;
	if (r == 0 && asprintf(&module_var, "MODPROBE_MODULE=%s", name) < 0) {
		module_var = NULL;
		r = -ENOMEM;
	}
	if (r == 0) {
		set[0] = module_var;
		for (size_t k = 0; k < nenv; k++)
			set[k + 1] = env[k];
		r = build_env(set, nenv + 1, &envp);
	}
	if (r == 0)
		r = kml_command_expand(command, options, &text);
	pid_t pid = -1;
	if (r == 0) {
		pid = fork();
		if (pid < 0)
			r = -errno;
	}
	if (pid == 0) {
		/* only async-signal-safe calls after fork */
		char *const argv[] = { (char *)"sh", (char *)"-c", text, NULL };
		execve("/bin/sh", argv, envp);
		_exit(127);
	}
	free(text);
	free(envp);
	free(module_var);
	free(set);
	if (r < 0)
		return r;
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
