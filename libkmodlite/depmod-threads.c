// SPDX-License-Identifier: LGPL-2.1-or-later
/* depmod: how many threads its stages use, and running a stage's items on
 * them (parsing, linking, building the outputs). */
#include <pthread.h>
#include <unistd.h>

#include "depmod-private.h"

unsigned int dm_job_count(const struct dm_state *st)
{
	unsigned int jobs = st->opts->jobs;
	if (jobs == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = n > 0 ? (unsigned int)n : 1;
	}
	if (jobs > DM_MAX_JOBS)
		jobs = DM_MAX_JOBS;
	if (jobs > st->module_count)
		jobs = st->module_count ? (unsigned int)st->module_count : 1;
	return jobs;
}

struct parallel {
	dm_item_fn fn;
	void *data;
	size_t count;
	size_t next; /* atomically incremented */
};

static void *work(void *arg)
{
	struct parallel *p = arg;
	struct strbuf scratch = { 0 };
	for (size_t i; (i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED)) < p->count;)
		p->fn(p->data, i, &scratch);
	free(scratch.data);
	return NULL;
}

void dm_parallel(unsigned int jobs, size_t count, dm_item_fn fn, void *data)
{
	struct parallel p = { fn, data, count, 0 };
	pthread_t threads[DM_MAX_JOBS];
	unsigned int started = 0;
	if (jobs > count)
		jobs = count ? (unsigned int)count : 1;
	for (; started + 1 < jobs && started + 1 < DM_MAX_JOBS; started++)
		if (pthread_create(&threads[started], NULL, work, &p) != 0)
			break; /* (fewer threads: the same work) */
	work(&p); /* this thread works too */
	for (unsigned int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
}
