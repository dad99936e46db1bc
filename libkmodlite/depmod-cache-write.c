// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod's cache (format in depmod-cache.h): encoding every module's parse
 * results, streamed out through a small buffer to the caller's function.
 * Reading it back is depmod-cache-read.c.
 */
#include <endian.h>
#include <errno.h>

#include "depmod-cache-format.h"
#include "depmod-cache.h"
#include "depmod-private.h"

/*
 * The encoder writes through a buffer of BUF_SIZE to the caller's function,
 * counting the bytes and computing the CRC of the trailer on the way. The
 * first error sticks in ERR and later writes do nothing.
 */
#define BUF_SIZE 65536

struct enc {
	uint64_t total;
	uint32_t crc;
	int err;
	dm_cache_write_fn fn;
	void *fn_data;
	size_t used;
	size_t cap;	    /* of BUF */
	unsigned char *buf; /* BUF_SIZE while the records go out, then TAIL */
	unsigned char tail[256];
};

static void flush(struct enc *e)
{
	if (e->err == 0 && e->used > 0) {
		e->crc = crc32_update(e->crc, e->buf, e->used);
		e->err = e->fn(e->fn_data, e->buf, e->used);
	}
	e->used = 0;
}

static void put_bytes(struct enc *e, const void *p, size_t n)
{
	e->total += n;
	if (e->err)
		return;
	const unsigned char *c = p;
	while (n > 0) {
		size_t k = e->cap - e->used < n ? e->cap - e->used : n;
		memcpy(e->buf + e->used, c, k);
		e->used += k;
		c += k;
		n -= k;
		if (e->used == e->cap)
			flush(e);
	}
}

static void put_u8(struct enc *e, uint8_t v)
{
	put_bytes(e, &v, 1);
}

static void put_u16(struct enc *e, uint16_t v)
{
	v = htole16(v);
	put_bytes(e, &v, 2);
}

static void put_u32(struct enc *e, uint32_t v)
{
	v = htole32(v);
	put_bytes(e, &v, 4);
}

static void put_u64(struct enc *e, uint64_t v)
{
	v = htole64(v);
	put_bytes(e, &v, 8);
}

static void put_key(struct enc *e, const struct dm_cache_key *k)
{
	put_u64(e, k->dev);
	put_u64(e, k->ino);
	put_u64(e, k->size);
	put_u64(e, (uint64_t)k->mtime_sec);
	put_u32(e, k->mtime_nsec);
	put_u64(e, (uint64_t)k->ctime_sec);
	put_u32(e, k->ctime_nsec);
}

/* A record's payload (the parse results) into SB, which is reset first. */
static int sb_u8(struct strbuf *sb, uint8_t v)
{
	return strbuf_append(sb, &v, 1);
}

static int sb_u32(struct strbuf *sb, size_t n)
{
	if (n > UINT32_MAX)
		return -E2BIG;
	uint32_t v = htole32((uint32_t)n);
	return strbuf_append(sb, &v, 4);
}

static int sb_string(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);
	if (n > UINT32_MAX - 1)
		return -E2BIG;
	int r = sb_u32(sb, n);
	return r < 0 ? r : strbuf_append(sb, s, n + 1);
}

static int sb_symbol(struct strbuf *sb, const struct dm_symbol *sym)
{
	uint64_t crc = htole64(sym->crc);
	int r = sb_u8(sb, (uint8_t)((sym->has_crc ? 1 : 0) | (sym->weak ? 2 : 0)));
	if (r == 0)
		r = strbuf_append(sb, &crc, 8);
	return r < 0 ? r : sb_string(sb, sym->name);
}

static int encode_payload(struct strbuf *sb, const struct dm_info *info)
{
	sb->len = 0;
	const size_t counts[5] = { info->alias_count, info->softdep_count, info->weakdep_count,
				   info->export_count, info->import_count };
	int r = 0;
	for (int i = 0; r == 0 && i < 5; i++)
		r = sb_u32(sb, counts[i]);
	for (size_t i = 0; r == 0 && i < info->alias_count; i++)
		r = sb_string(sb, info->aliases[i]);
	for (size_t i = 0; r == 0 && i < info->softdep_count; i++)
		r = sb_string(sb, info->softdeps[i]);
	for (size_t i = 0; r == 0 && i < info->weakdep_count; i++)
		r = sb_string(sb, info->weakdeps[i]);
	for (size_t i = 0; r == 0 && i < info->export_count; i++)
		r = sb_symbol(sb, &info->exports[i]);
	for (size_t i = 0; r == 0 && i < info->import_count; i++)
		r = sb_symbol(sb, &info->imports[i]);
	if (r == 0 && sb->len > UINT32_MAX)
		r = -E2BIG;
	return r;
}

int dm_info_digest(const struct dm_info *info, struct strbuf *scratch, uint64_t *ret)
{
	int r = encode_payload(scratch, info);
	if (r == 0)
		*ret = dm_hash64(scratch->data, scratch->len);
	return r;
}

static void put_record(struct enc *e, const struct dm_cache_entry *ent, struct strbuf *scratch)
{
	size_t pl = strlen(ent->path);
	if (pl > UINT16_MAX - 1) {
		e->err = -E2BIG;
		return;
	}
	struct dm_cache_raw raw = ent->raw;
	if (ent->info) {
		int r = dm_info_digest(ent->info, scratch, &raw.digest);
		if (r < 0) {
			e->err = r;
			return;
		}
		raw.payload = scratch->data;
		raw.size = scratch->len;
		if (ent->digest_out)
			*ent->digest_out = raw.digest;
	}
	if (raw.size > UINT32_MAX) {
		e->err = -E2BIG;
		return;
	}
	put_u16(e, (uint16_t)pl);
	put_bytes(e, ent->path, pl + 1);
	put_key(e, &ent->key);
	put_u64(e, raw.digest);
	put_u32(e, (uint32_t)raw.size);
	put_bytes(e, raw.payload, raw.size);
}

static void put_dir(struct enc *e, const struct dm_cache_dir *dir)
{
	size_t pl = strlen(dir->path);
	if (pl > UINT16_MAX - 1 || dir->count > UINT32_MAX) {
		e->err = -E2BIG;
		return;
	}
	put_u16(e, (uint16_t)pl);
	put_bytes(e, dir->path, pl + 1);
	put_key(e, &dir->key);
	put_u32(e, (uint32_t)dir->count);
	for (size_t i = 0; i < dir->count; i++) {
		size_t n = strlen(dir->names[i]);
		if (n > UINT16_MAX - 1) {
			e->err = -E2BIG;
			return;
		}
		put_u16(e, (uint16_t)n);
		put_bytes(e, dir->names[i], n + 1);
	}
}

/* The writer: the encoder, and the scratch buffer of records' payloads. */
struct dm_cache_writer {
	struct enc e;
	struct strbuf scratch;
};

int dm_cache_writer_start(const char *kver, uint64_t config_hash, size_t count,
			  dm_cache_write_fn fn, void *fn_data, struct dm_cache_writer **ret)
{
	if (strlen(kver) > UINT16_MAX || count > UINT32_MAX)
		return -E2BIG;
	struct dm_cache_writer *w = calloc(1, sizeof(*w));
	unsigned char *buf = malloc(BUF_SIZE);
	if (!w || !buf) {
		free(w);
		free(buf);
		return -ENOMEM;
	}
	struct enc *e = &w->e;
	*e = (struct enc){ .fn = fn, .fn_data = fn_data, .cap = BUF_SIZE, .buf = buf };
	put_bytes(e, magic, sizeof(magic));
	put_u32(e, DM_CACHE_VERSION);
	put_u32(e, 0);
	put_u64(e, config_hash);
	put_u8(e, (uint8_t)strlen(ARCH));
	put_bytes(e, ARCH, strlen(ARCH));
	put_u16(e, (uint16_t)strlen(kver));
	put_bytes(e, kver, strlen(kver));
	put_u32(e, (uint32_t)count);
	*ret = w;
	return e->err;
}

int dm_cache_writer_add(struct dm_cache_writer *w, const struct dm_cache_entry *entry)
{
	if (w->e.err == 0)
		put_record(&w->e, entry, &w->scratch);
	return w->e.err;
}

int dm_cache_writer_listings(struct dm_cache_writer *w, size_t count)
{
	if (count > UINT32_MAX)
		return -E2BIG;
	put_u32(&w->e, (uint32_t)count);
	return w->e.err;
}

int dm_cache_writer_add_listing(struct dm_cache_writer *w, const struct dm_cache_dir *dir)
{
	if (w->e.err == 0)
		put_dir(&w->e, dir);
	return w->e.err;
}

int dm_cache_writer_flush(struct dm_cache_writer *w)
{
	struct enc *e = &w->e;
	flush(e);
	/* what is left to write is small: the big buffers are not kept */
	if (e->buf != e->tail) {
		free(e->buf);
		e->buf = e->tail;
		e->cap = sizeof(e->tail);
	}
	free(w->scratch.data);
	w->scratch = (struct strbuf){ 0 };
	return e->err;
}

int dm_cache_writer_links(struct dm_cache_writer *w, uint64_t world, size_t count)
{
	struct enc *e = &w->e;
	if (count > UINT32_MAX)
		return -E2BIG;
	/* a few hundred KiB: a buffer of the records' size again, if there is
	 * room (else the small one does, in more writes) */
	unsigned char *buf = count > 0 && e->buf == e->tail ? malloc(BUF_SIZE) : NULL;
	if (buf) {
		flush(e);
		e->buf = buf;
		e->cap = BUF_SIZE;
	}
	put_u64(e, count ? world : 0);
	put_u32(e, (uint32_t)count);
	return e->err;
}

int dm_cache_writer_add_links(struct dm_cache_writer *w, size_t record, uint64_t exports,
			      const char *const *names, size_t count)
{
	struct enc *e = &w->e;
	if (record > UINT32_MAX || count > UINT32_MAX)
		e->err = e->err ? e->err : -E2BIG;
	if (e->err)
		return e->err;
	put_u32(e, (uint32_t)record);
	put_u64(e, exports);
	put_u32(e, (uint32_t)count);
	for (size_t i = 0; i < count && e->err == 0; i++) {
		size_t n = strlen(names[i]);
		if (n > UINT16_MAX - 1) {
			e->err = -E2BIG;
			break;
		}
		put_u16(e, (uint16_t)n);
		put_bytes(e, names[i], n + 1);
	}
	return e->err;
}

int dm_cache_writer_finish(struct dm_cache_writer *w, const struct dm_cache_outputs *outputs)
{
	struct enc *e = &w->e;
	size_t n = outputs && outputs->count <= DM_CACHE_MAX_STAMPS ? outputs->count : 0;
	for (size_t i = 0; i < n; i++)
		put_key(e, &outputs->stamps[i]);
	put_u64(e, n ? outputs->digest : 0);
	put_u8(e, (uint8_t)n);
	put_u64(e, e->total + TRAILER_SIZE); /* the trailer's size: the whole file's */
	flush(e);
	int r = e->err;
	if (r == 0) {
		uint32_t crc = htole32(e->crc);
		r = e->fn(e->fn_data, &crc, 4);
	}
	return r;
}

void dm_cache_writer_free(struct dm_cache_writer *w)
{
	if (!w)
		return;
	if (w->e.buf != w->e.tail)
		free(w->e.buf);
	free(w->scratch.data);
	free(w);
}

int dm_cache_write(const char *kver, uint64_t config_hash, const struct dm_cache_contents *c,
		   dm_cache_write_fn fn, void *fn_data)
{
	struct dm_cache_writer *w = NULL;
	int r = dm_cache_writer_start(kver, config_hash, c->count, fn, fn_data, &w);
	for (size_t i = 0; r == 0 && i < c->count; i++)
		r = dm_cache_writer_add(w, &c->entries[i]);
	if (r == 0)
		r = dm_cache_writer_listings(w, c->dir_count);
	for (size_t i = 0; r == 0 && i < c->dir_count; i++)
		r = dm_cache_writer_add_listing(w, &c->dirs[i]);
	if (r == 0)
		r = dm_cache_writer_flush(w);
	if (r == 0)
		r = dm_cache_writer_links(w, c->world, c->link_count);
	for (size_t i = 0; r == 0 && i < c->link_count; i++) {
		const struct dm_cache_link_entry *l = &c->links[i];
		r = dm_cache_writer_add_links(w, l->record, l->exports, l->names, l->count);
	}
	if (r == 0)
		r = dm_cache_writer_finish(w, c->outputs);
	dm_cache_writer_free(w);
	return r;
}

static int append_to_strbuf(void *data, const void *buf, size_t len)
{
	return strbuf_append(data, buf, len);
}

int dm_cache_encode(const char *kver, uint64_t config_hash, const struct dm_cache_contents *c,
		    void **ret_data, size_t *ret_size)
{
	struct strbuf sb = { 0 };
	int r = dm_cache_write(kver, config_hash, c, append_to_strbuf, &sb);
	if (r < 0) {
		free(sb.data);
		return r;
	}
	*ret_data = sb.data;
	*ret_size = sb.len;
	return 0;
}
