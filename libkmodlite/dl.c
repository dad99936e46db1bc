// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Lazy loading of the optional libraries (compression, crypto).
 *
 * Linking libcrypto, liblzma and libzstd directly costs every process start
 * millions of instructions in the dynamic linker, even a lookup that never
 * opens a compressed or signed file. They are opened here on first use
 * instead. The loaded handle is a process-wide cache guarded by a mutex;
 * it never changes once set, so it is not state a caller can observe.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>

#include "kmodlite-private.h"

static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;

int dl_load(struct dl_library *lib)
{
	int state = __atomic_load_n(&lib->state, __ATOMIC_ACQUIRE);
	if (state != 0)
		return state > 0 ? 0 : state;

	pthread_mutex_lock(&dl_lock);
	state = lib->state;
	if (state == 0) {
		void *handle = dlopen(lib->soname, RTLD_LAZY | RTLD_LOCAL | RTLD_NODELETE);
		state = 1;
		if (!handle) {
			state = -ENOTSUP;
		} else {
			for (size_t i = 0; i < lib->count; i++) {
				void *sym = dlsym(handle, lib->symbols[i].name);
				if (!sym) {
					state = -ENOTSUP;
					break;
				}
				*lib->symbols[i].slot = sym;
			}
			if (state < 0)
				dlclose(handle);
		}
		__atomic_store_n(&lib->state, state, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&dl_lock);
	return state > 0 ? 0 : state;
}
