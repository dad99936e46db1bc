// SPDX-License-Identifier: LGPL-2.1-or-later
/* libkmod's lists: circular, doubly linked; NULL is the empty list. */
#include "libkmod-private.h"

struct kmod_list *kmod_list_append(struct kmod_list *list, const void *data)
{
	struct kmod_list *e = malloc(sizeof(*e));
	if (!e)
		return NULL;
	e->data = (void *)data;
	if (!list) {
		e->next = e->prev = e;
		return e;
	}
	e->prev = list->prev;
	e->next = list;
	list->prev->next = e;
	list->prev = e;
	return list;
}

void kmod_list_release(struct kmod_list *list)
{
	if (!list)
		return;
	struct kmod_list *e = list;
	do {
		struct kmod_list *next = e->next;
		free(e);
		e = next;
	} while (e != list);
}

void kmod_list_release_data(struct kmod_list *list)
{
	if (!list)
		return;
	struct kmod_list *e = list;
	do {
		struct kmod_list *next = e->next;
		free(e->data);
		free(e);
		e = next;
	} while (e != list);
}

KMOD_EXPORT struct kmod_list *kmod_list_next(const struct kmod_list *list,
					     const struct kmod_list *curr)
{
	if (!list || !curr || curr->next == list)
		return NULL;
	return curr->next;
}

KMOD_EXPORT struct kmod_list *kmod_list_prev(const struct kmod_list *list,
					     const struct kmod_list *curr)
{
	if (!list || !curr || curr == list)
		return NULL;
	return curr->prev;
}

KMOD_EXPORT struct kmod_list *kmod_list_last(const struct kmod_list *list)
{
	return list ? list->prev : NULL;
}
