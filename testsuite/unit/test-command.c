// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * command.c: install and remove commands run with /bin/sh -c, their text
 * ($CMDLINE_OPTS) and their environment (MODPROBE_MODULE and the caller's
 * variables), and the exit status given back.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "kmodlite-private.h"

struct fixture {
	char path[64]; /* what the commands write */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->path, sizeof(f->path), "/tmp/test-command-XXXXXX");
	int fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	unlink(f->path);
	free(f);
	return 0;
}

/* Runs COMMAND with its output sent to the fixture's file; returns the text. */
static char *run(const struct fixture *f, const char *name, const char *command,
		 const char *options, const char *const *env, int want_status)
{
	char *full;
	assert_true(asprintf(&full, "exec >%s; %s", f->path, command) > 0);
	assert_int_equal(kml_command_run(name, full, options, env), want_status);
	free(full);
	char *text = NULL;
	size_t len;
	assert_int_equal(read_file_full(f->path, 1 << 20, &text, &len), 0);
	return text;
}

static void test_cmdline_opts(void **state)
{
	struct fixture *f = *state;
	char *out = run(f, "m", "echo \"[$CMDLINE_OPTS]\" $CMDLINE_OPTS-x", "a=1 b=2", NULL, 0);
	assert_string_equal(out, "[a=1 b=2] a=1 b=2-x\n");
	free(out);
	out = run(f, "m", "echo \"[$CMDLINE_OPTS]\"", NULL, NULL, 0);
	assert_string_equal(out, "[]\n");
	free(out);
	/* only the exact name: $CMDLINE_OPT stays for the shell (empty) */
	out = run(f, "m", "echo \"[$CMDLINE_OPT]\"", "x", NULL, 0);
	assert_string_equal(out, "[]\n");
	free(out);
}

static void test_environment(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(setenv("KML_TEST_KEPT", "kept", 1), 0);
	assert_int_equal(setenv("KML_TEST_REPLACED", "old", 1), 0);
	const char *const env[] = { "KML_TEST_REPLACED=new", "KML_TEST_ADDED=added", NULL };
	char *out = run(f, "snd_hda",
			"echo \"$MODPROBE_MODULE $KML_TEST_KEPT $KML_TEST_REPLACED $KML_TEST_ADDED\";"
			" env | grep -c '^KML_TEST_REPLACED='",
			"", env, 0);
	assert_string_equal(out, "snd_hda kept new added\n1\n");
	free(out);
	/* this process's environment is left as it was */
	assert_string_equal(getenv("KML_TEST_REPLACED"), "old");
	assert_null(getenv("KML_TEST_ADDED"));
	assert_null(getenv("MODPROBE_MODULE"));
	/* the caller's variables come last: they may set MODPROBE_MODULE too */
	const char *const over[] = { "MODPROBE_MODULE=other", NULL };
	out = run(f, "m", "echo \"$MODPROBE_MODULE\"", "", over, 0);
	assert_string_equal(out, "other\n");
	free(out);
	unsetenv("KML_TEST_KEPT");
	unsetenv("KML_TEST_REPLACED");
}

static void test_status(void **state)
{
	struct fixture *f = *state;
	free(run(f, "m", "exit 3", "", NULL, 3));
	free(run(f, "m", "kill -TERM $$", "", NULL, 128 + SIGTERM));
	free(run(f, "m", "no-such-command-anywhere 2>/dev/null", "", NULL, 127));
	assert_int_equal(kml_command_run(NULL, "true", "", NULL), -EINVAL);
	assert_int_equal(kml_command_run("m", NULL, "", NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cmdline_opts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_environment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
