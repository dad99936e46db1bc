// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod's cache (format in depmod-cache.h): encoding every module's parse
 * results, and decoding them again with every length and count checked
 * against the bytes that are left, so that a damaged or hostile file is
 * refused (or at worst yields wrong strings, never a read out of bounds).
 */
#include <endian.h>
#include <errno.h>
#include <sys/mman.h>

#include "depmod-cache.h"
#include "depmod-private.h"

static const char magic[8] = { 'K', 'M', 'L', 'D', 'M', 'C', '\r', '\n' };
#define TRAILER_SIZE 12 /* u64 size, u32 CRC */

/* The writer's architecture: a cache is only trusted by the same build. */
#if defined(__x86_64__)
#define ARCH_NAME "x86_64"
#elif defined(__i386__)
#define ARCH_NAME "i386"
#elif defined(__aarch64__)
#define ARCH_NAME "aarch64"
#elif defined(__arm__)
#define ARCH_NAME "arm"
#elif defined(__riscv)
#define ARCH_NAME "riscv"
#elif defined(__powerpc64__)
#define ARCH_NAME "ppc64"
#elif defined(__powerpc__)
#define ARCH_NAME "ppc"
#elif defined(__s390x__)
#define ARCH_NAME "s390x"
#elif defined(__loongarch__)
#define ARCH_NAME "loongarch"
#elif defined(__mips__)
#define ARCH_NAME "mips"
#else
#define ARCH_NAME "other"
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARCH_ORDER "le"
#else
#define ARCH_ORDER "be"
#endif
#define STR2(x) #x
#define STR(x) STR2(x)
#define ARCH ARCH_NAME "-" ARCH_ORDER "-" STR(__SIZEOF_POINTER__)

uint64_t dm_hash_bytes(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

uint64_t dm_hash_str(uint64_t h, const char *s)
{
	if (!s)
		return dm_hash_bytes(h, "\xff", 1);
	return dm_hash_bytes(h, s, strlen(s) + 1);
}

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

uint64_t dm_hash64(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)len * 0x2545f4914f6cdd1dull);
	for (; len >= 8; p += 8, len -= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		w = le64toh(w) * 0x87c37b91114253d5ull;
		w = (w << 31) | (w >> 33);
		h ^= w * 0x4cf5ad432745937full;
		h = ((h << 27) | (h >> 37)) * 5 + 0x52dce729;
	}
	uint64_t tail = 0;
	for (size_t i = 0; i < len; i++)
		tail |= (uint64_t)p[i] << (8 * i);
	return mix64(h ^ mix64(tail + len));
}

void dm_cache_key_from_stat(const struct stat *sb, struct dm_cache_key *ret)
{
	*ret = (struct dm_cache_key){
		.dev = (uint64_t)sb->st_dev,
		.ino = (uint64_t)sb->st_ino,
		.size = (uint64_t)sb->st_size,
		.mtime_sec = (int64_t)sb->st_mtim.tv_sec,
		.mtime_nsec = (uint32_t)sb->st_mtim.tv_nsec,
		.ctime_sec = (int64_t)sb->st_ctim.tv_sec,
		.ctime_nsec = (uint32_t)sb->st_ctim.tv_nsec,
	};
}

static bool key_equal(const struct dm_cache_key *a, const struct dm_cache_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec &&
	       a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec;
}

/* ------------------------------------------------------------- encoding */

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

int dm_cache_writer_finish(struct dm_cache_writer *w, const struct dm_cache_outputs *outputs)
{
	struct enc *e = &w->e;
	size_t n = outputs && outputs->count <= DM_CACHE_MAX_STAMPS ? outputs->count : 0;
	for (size_t i = 0; i < n; i++)
		put_key(e, &outputs->stamps[i]);
	put_u64(e, n ? outputs->digest : 0);
	put_u8(e, (uint8_t)n);
	put_u64(e, e->total + 8 + 4); /* the trailer's size: the whole file's */
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

/* ------------------------------------------------------------- decoding */

/* Input cursor; reading past the end sets BAD and yields zeros. */
struct dec {
	const unsigned char *p, *end;
	bool bad;
};

static const void *get_bytes(struct dec *d, size_t n)
{
	if (d->bad || (size_t)(d->end - d->p) < n) {
		d->bad = true;
		return NULL;
	}
	const void *r = d->p;
	d->p += n;
	return r;
}

static uint8_t get_u8(struct dec *d)
{
	const uint8_t *p = get_bytes(d, 1);
	return p ? *p : 0;
}

static uint16_t get_u16(struct dec *d)
{
	uint16_t v = 0;
	const void *p = get_bytes(d, 2);
	if (p)
		memcpy(&v, p, 2);
	return le16toh(v);
}

static uint32_t get_u32(struct dec *d)
{
	uint32_t v = 0;
	const void *p = get_bytes(d, 4);
	if (p)
		memcpy(&v, p, 4);
	return le32toh(v);
}

static uint64_t get_u64(struct dec *d)
{
	uint64_t v = 0;
	const void *p = get_bytes(d, 8);
	if (p)
		memcpy(&v, p, 8);
	return le64toh(v);
}

/* N bytes followed by a NUL, with no NUL among them. */
static const char *get_nul_string(struct dec *d, size_t n)
{
	const char *s = get_bytes(d, n);
	const char *nul = get_bytes(d, 1);
	if (!s || !nul || *nul != '\0' || memchr(s, '\0', n)) {
		d->bad = true;
		return NULL;
	}
	return s;
}

static const char *get_string(struct dec *d)
{
	return get_nul_string(d, get_u32(d));
}

/* A count of items of at least MIN_SIZE bytes each, checked against what
 * is left, so that no allocation is bigger than the file justifies. */
static size_t get_count(struct dec *d, size_t min_size)
{
	size_t n = get_u32(d);
	if (n > (size_t)(d->end - d->p) / min_size)
		d->bad = true;
	return d->bad ? 0 : n;
}

struct record_head {
	const char *path;
	struct dm_cache_key key;
	struct dm_cache_raw raw;
};

#define STRING_MIN 5 /* u32 length + NUL */
#define SYMBOL_MIN (1 + 8 + STRING_MIN)
#define KEY_SIZE (8 * 5 + 4 * 2)
#define RECORD_MIN (2 + 1 + KEY_SIZE + 8 + 4)

static void get_key(struct dec *d, struct dm_cache_key *k)
{
	k->dev = get_u64(d);
	k->ino = get_u64(d);
	k->size = get_u64(d);
	k->mtime_sec = (int64_t)get_u64(d);
	k->mtime_nsec = get_u32(d);
	k->ctime_sec = (int64_t)get_u64(d);
	k->ctime_nsec = get_u32(d);
}

/* A record's head, and its payload skipped over. */
static void get_record_head(struct dec *d, struct record_head *h)
{
	h->path = get_nul_string(d, get_u16(d));
	get_key(d, &h->key);
	h->raw.digest = get_u64(d);
	h->raw.size = get_u32(d);
	h->raw.payload = get_bytes(d, h->raw.size);
}

struct slot {
	const char *path; /* NULL: empty */
	size_t offset;	  /* of the record */
};

struct dm_cache {
	unsigned char *data;
	size_t size;
	bool mapped; /* DATA is a mapping of SIZE bytes, else malloc'd */
	struct slot *slots;
	size_t slot_count; /* power of two */
	size_t count;
	struct slot *dir_slots; /* the listings, the same way */
	size_t dir_slot_count;
	struct dm_cache_outputs outputs;
};

void dm_cache_free(struct dm_cache *cache)
{
	if (!cache)
		return;
	if (cache->mapped)
		munmap(cache->data, cache->size);
	else
		free(cache->data);
	free(cache->slots);
	free(cache->dir_slots);
	free(cache);
}

size_t dm_cache_count(const struct dm_cache *cache)
{
	return cache ? cache->count : 0;
}

static struct slot *find_in(struct slot *slots, size_t slot_count, const char *path)
{
	size_t i = (size_t)hash_string(path) & (slot_count - 1);
	while (slots[i].path && !streq(slots[i].path, path))
		i = (i + 1) & (slot_count - 1);
	return &slots[i];
}

static struct slot *find_slot(const struct dm_cache *c, const char *path)
{
	return find_in(c->slots, c->slot_count, path);
}

static struct slot *alloc_slots(size_t count, size_t *ret_count)
{
	size_t n = 16;
	while (n < count * 2)
		n *= 2;
	*ret_count = n;
	return calloc(n, sizeof(struct slot));
}

/* A listing's head: path, key and entry count (entries follow). */
static void get_dir_head(struct dec *d, const char **path, struct dm_cache_key *key, size_t *count)
{
	*path = get_nul_string(d, get_u16(d));
	get_key(d, key);
	*count = get_count(d, 2 + 2); /* u16 + type + NUL at least */
}

/* The outputs' part, which ends where the trailer starts: its count is
 * its last byte. */
static int get_outputs(struct dec *d, struct dm_cache_outputs *o)
{
	size_t left = (size_t)(d->end - d->p);
	if (left < 8 + 1)
		return -EBADMSG;
	size_t n = d->end[-1];
	if (n > DM_CACHE_MAX_STAMPS || left != n * KEY_SIZE + 8 + 1)
		return -EBADMSG; /* bytes between the last listing and the trailer */
	o->count = n;
	for (size_t i = 0; i < n; i++)
		get_key(d, &o->stamps[i]);
	o->digest = get_u64(d);
	(void)get_u8(d);
	return d->bad ? -EBADMSG : 0;
}

/* The listings section: indexed, every entry checked. */
static int index_dirs(struct dm_cache *c, struct dec *d)
{
	size_t count = get_count(d, 2 + 1 + KEY_SIZE + 4);
	if (d->bad)
		return -EBADMSG;
	c->dir_slots = alloc_slots(count, &c->dir_slot_count);
	if (!c->dir_slots)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		size_t offset = (size_t)(d->p - c->data), n;
		const char *path;
		struct dm_cache_key key;
		get_dir_head(d, &path, &key, &n);
		for (size_t k = 0; k < n && !d->bad; k++) {
			size_t l = get_u16(d);
			if (l < 2)
				d->bad = true;
			(void)get_nul_string(d, l);
		}
		if (d->bad)
			return -EBADMSG;
		struct slot *s = find_in(c->dir_slots, c->dir_slot_count, path);
		if (!s->path)
			*s = (struct slot){ path, offset };
	}
	return 0;
}

/* The header, up to the record count; -EBADMSG or -ESTALE. */
static int check_header(struct dec *d, const char *kver, uint64_t config_hash, size_t *ret_count)
{
	const void *m = get_bytes(d, sizeof(magic));
	if (!m || memcmp(m, magic, sizeof(magic)) != 0)
		return -EBADMSG;
	uint32_t version = get_u32(d);
	uint32_t flags = get_u32(d);
	if (d->bad)
		return -EBADMSG;
	if (version != DM_CACHE_VERSION)
		return -ESTALE; /* its layout past this point is unknown */
	if (flags != 0)
		return -EBADMSG;
	uint64_t config = get_u64(d);
	size_t al = get_u8(d);
	const char *arch = get_bytes(d, al);
	size_t kl = get_u16(d);
	const char *kv = get_bytes(d, kl);
	size_t count = get_count(d, RECORD_MIN);
	if (d->bad)
		return -EBADMSG;
	if (al != strlen(ARCH) || memcmp(arch, ARCH, al) != 0 || kl != strlen(kver) ||
	    memcmp(kv, kver, kl) != 0 || config != config_hash)
		return -ESTALE;
	*ret_count = count;
	return 0;
}

static int open_cache(void *data, size_t size, bool mapped, const char *kver,
		      uint64_t config_hash, struct dm_cache **ret_cache)
{
	struct dm_cache *c = calloc(1, sizeof(*c));
	if (!c) {
		if (mapped)
			munmap(data, size);
		else
			free(data);
		return -ENOMEM;
	}
	c->data = data;
	c->size = size;
	c->mapped = mapped;
	int r = 0;
	/* the trailer first: what follows need not guard against accidents */
	uint32_t crc = 0;
	uint64_t stated = 0;
	if (size < sizeof(magic) + TRAILER_SIZE) {
		r = -EBADMSG;
	} else {
		memcpy(&stated, c->data + size - TRAILER_SIZE, 8);
		memcpy(&crc, c->data + size - 4, 4);
		if (le64toh(stated) != size || le32toh(crc) != crc32_update(0, c->data, size - 4))
			r = -EBADMSG;
	}
	struct dec d = { .p = c->data, .end = c->data + (r == 0 ? size - TRAILER_SIZE : 0) };
	size_t count = 0;
	if (r == 0)
		r = check_header(&d, kver, config_hash, &count);
	if (r == 0 && !(c->slots = alloc_slots(count, &c->slot_count)))
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < count; i++) {
		size_t offset = (size_t)(d.p - c->data);
		struct record_head h;
		get_record_head(&d, &h);
		if (d.bad) {
			r = -EBADMSG;
			break;
		}
		struct slot *s = find_slot(c, h.path);
		if (!s->path) { /* a second record of a path is ignored */
			*s = (struct slot){ h.path, offset };
			c->count++;
		}
	}
	if (r == 0)
		r = index_dirs(c, &d);
	if (r == 0)
		r = get_outputs(&d, &c->outputs);
	if (r < 0) {
		dm_cache_free(c);
		return r;
	}
	*ret_cache = c;
	return 0;
}

int dm_cache_open(void *data, size_t size, const char *kver, uint64_t config_hash,
		  struct dm_cache **ret_cache)
{
	return open_cache(data, size, false, kver, config_hash, ret_cache);
}

int dm_cache_open_fd(int fd, size_t size, const char *kver, uint64_t config_hash,
		     struct dm_cache **ret_cache)
{
	if (size == 0)
		return -EBADMSG;
	void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	return open_cache(map, size, true, kver, config_hash, ret_cache);
}

static int get_strings(struct dec *d, size_t n, char ***ret)
{
	if (n == 0)
		return 0;
	char **v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = (char *)get_string(d);
	*ret = v;
	return 0;
}

static int get_symbols(struct dec *d, size_t n, struct dm_symbol **ret)
{
	if (n == 0)
		return 0;
	struct dm_symbol *v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint8_t flags = get_u8(d);
		v[i].crc = get_u64(d);
		v[i].has_crc = flags & 1;
		v[i].weak = (flags & 2) != 0;
		v[i].name = (char *)get_string(d);
	}
	*ret = v;
	return 0;
}

const struct dm_cache_outputs *dm_cache_get_outputs(const struct dm_cache *cache)
{
	return &cache->outputs;
}

/* PATH's record when its key is KEY. */
static bool find_record(const struct dm_cache *cache, const char *path,
			const struct dm_cache_key *key, struct record_head *h)
{
	if (!cache)
		return false;
	const struct slot *s = find_slot(cache, path);
	if (!s->path)
		return false;
	struct dec d = { .p = cache->data + s->offset,
			 .end = cache->data + cache->size - TRAILER_SIZE };
	get_record_head(&d, h);
	return !d.bad && key_equal(&h->key, key);
}

bool dm_cache_match(const struct dm_cache *cache, const char *path, const struct dm_cache_key *key,
		    struct dm_cache_raw *raw)
{
	struct record_head h;
	if (!find_record(cache, path, key, &h))
		return false;
	if (raw)
		*raw = h.raw;
	return true;
}

int dm_cache_lookup(const struct dm_cache *cache, const char *path, const struct dm_cache_key *key,
		    struct dm_info *info)
{
	struct record_head h;
	if (!find_record(cache, path, key, &h))
		return 0;
	/* the payload decoded with every check, within its own bounds */
	struct dec d = { .p = h.raw.payload, .end = (const unsigned char *)h.raw.payload + h.raw.size };
	size_t counts[5];
	for (int i = 0; i < 5; i++) {
		counts[i] = get_u32(&d);
		/* never more items than the bytes left could hold */
		if (counts[i] > (size_t)(d.end - d.p) / (i >= 3 ? SYMBOL_MIN : STRING_MIN))
			d.bad = true;
	}
	if (d.bad)
		return 0;
	struct dm_info in = { .borrowed = true };
	int r = get_strings(&d, counts[0], &in.aliases);
	in.alias_count = in.aliases ? counts[0] : 0;
	if (r == 0)
		r = get_strings(&d, counts[1], &in.softdeps);
	in.softdep_count = in.softdeps ? counts[1] : 0;
	if (r == 0)
		r = get_strings(&d, counts[2], &in.weakdeps);
	in.weakdep_count = in.weakdeps ? counts[2] : 0;
	if (r == 0)
		r = get_symbols(&d, counts[3], &in.exports);
	in.export_count = in.exports ? counts[3] : 0;
	if (r == 0)
		r = get_symbols(&d, counts[4], &in.imports);
	in.import_count = in.imports ? counts[4] : 0;
	if (r == 0 && (d.bad || d.p != d.end))
		r = 1; /* a damaged payload: refused, the file is parsed instead */
	if (r != 0) {
		dm_info_release(&in);
		return r < 0 ? r : 0;
	}
	*info = in;
	return 1;
}

int dm_cache_dir_lookup(const struct dm_cache *cache, const char *path,
			const struct dm_cache_key *key, char ***ret_names, size_t *ret_count)
{
	if (!cache)
		return 0;
	const struct slot *s = find_in(cache->dir_slots, cache->dir_slot_count, path);
	if (!s->path)
		return 0;
	struct dec d = { .p = cache->data + s->offset,
			 .end = cache->data + cache->size - TRAILER_SIZE };
	const char *p;
	struct dm_cache_key k;
	size_t n;
	get_dir_head(&d, &p, &k, &n);
	if (d.bad || !key_equal(&k, key))
		return 0;
	char **v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = (char *)get_nul_string(&d, get_u16(&d));
	if (d.bad) { /* cannot happen after dm_cache_open(); refused all the same */
		free(v);
		return 0;
	}
	*ret_names = v;
	*ret_count = n;
	return 1;
}
