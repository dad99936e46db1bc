// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod's cache (format in depmod-cache.h): decoding what
 * depmod-cache-write.c encoded, with every length and count checked
 * against the bytes that are left, so that a damaged or hostile file is
 * refused (or at worst yields wrong strings, never a read out of bounds).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "depmod-cache-format.h"
#include "depmod-cache.h"
#include "depmod-private.h"

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
	size_t links;	  /* of its links entry; 0: none */
};

struct dm_cache {
	unsigned char *data;
	size_t size;
	bool mapped; /* DATA is a mapping of SIZE bytes, else malloc'd */
	int fd;	     /* of the mapped file (with its lock), else -1 */
	struct slot *slots;
	size_t slot_count; /* power of two */
	size_t count;
	struct slot *dir_slots; /* the listings, the same way */
	size_t dir_slot_count;
	struct dm_cache_outputs outputs;
	uint64_t world; /* of the links */
};

void dm_cache_free(struct dm_cache *cache)
{
	if (!cache)
		return;
	if (cache->mapped)
		munmap(cache->data, cache->size);
	else
		free(cache->data);
	if (cache->fd >= 0)
		close(cache->fd);
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
			*s = (struct slot){ path, offset, 0 };
	}
	return 0;
}

/* The links section: every entry checked, and tied to its record's slot
 * (BY_RECORD: the slot of each of the RECORDS, NULL for a path's second). */
static int index_links(struct dm_cache *c, struct dec *d, struct slot **by_record, size_t records)
{
	c->world = get_u64(d);
	size_t count = get_count(d, 4 + 8 + 4);
	if (d->bad)
		return -EBADMSG;
	for (size_t i = 0; i < count; i++) {
		size_t offset = (size_t)(d->p - c->data);
		size_t record = get_u32(d);
		(void)get_u64(d);
		size_t n = get_count(d, 2 + 1);
		for (size_t k = 0; k < n && !d->bad; k++)
			(void)get_nul_string(d, get_u16(d));
		if (d->bad || record >= records)
			return -EBADMSG;
		struct slot *s = by_record[record];
		if (s && !s->links)
			s->links = offset;
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

static int open_cache(void *data, size_t size, int fd, const char *kver, uint64_t config_hash,
		      struct dm_cache **ret_cache)
{
	bool mapped = fd >= 0;
	struct dm_cache *c = calloc(1, sizeof(*c));
	if (!c) {
		if (mapped) {
			munmap(data, size);
			close(fd);
		} else {
			free(data);
		}
		return -ENOMEM;
	}
	c->data = data;
	c->size = size;
	c->mapped = mapped;
	c->fd = fd;
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
	struct slot **by_record = NULL;
	if (r == 0 && !(by_record = calloc(count + 1, sizeof(*by_record))))
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
			*s = (struct slot){ h.path, offset, 0 };
			c->count++;
			by_record[i] = s;
		}
	}
	if (r == 0)
		r = index_dirs(c, &d);
	if (r == 0)
		r = index_links(c, &d, by_record, count);
	free(by_record);
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
	return open_cache(data, size, -1, kver, config_hash, ret_cache);
}

int dm_cache_open_fd(int fd, size_t size, const char *kver, uint64_t config_hash,
		     struct dm_cache **ret_cache)
{
	if (size == 0)
		return -EBADMSG;
	int kept = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (kept < 0)
		return -errno;
	void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (map == MAP_FAILED) {
		int r = -errno;
		close(kept);
		return r;
	}
	return open_cache(map, size, kept, kver, config_hash, ret_cache);
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
	return !d.bad && dm_cache_key_equal(&h->key, key);
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
		    struct dm_info *info, bool with_imports)
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
	if (r == 0 && with_imports)
		r = get_symbols(&d, counts[4], &in.imports);
	in.import_count = in.imports ? counts[4] : 0;
	if (r == 0 && (d.bad || (with_imports && d.p != d.end)))
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
	if (d.bad || !dm_cache_key_equal(&k, key))
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

uint64_t dm_cache_world(const struct dm_cache *cache)
{
	return cache ? cache->world : 0;
}

bool dm_cache_get_links(const struct dm_cache *cache, const char *path, struct dm_cache_links *ret)
{
	if (!cache || cache->world == 0)
		return false;
	const struct slot *s = find_slot(cache, path);
	if (!s->path || !s->links)
		return false;
	struct dec d = { .p = cache->data + s->links,
			 .end = cache->data + cache->size - TRAILER_SIZE };
	(void)get_u32(&d);
	ret->exports = get_u64(&d);
	ret->count = get_u32(&d);
	ret->names = d.p;
	return !d.bad;
}

const char *dm_cache_next_name(const unsigned char **cursor)
{
	uint16_t n;
	memcpy(&n, *cursor, 2);
	const char *name = (const char *)*cursor + 2;
	*cursor += 2 + (size_t)le16toh(n) + 1;
	return name;
}
