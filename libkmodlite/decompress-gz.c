// SPDX-License-Identifier: LGPL-2.1-or-later
/* gzip decompression through zlib, opened on first use. */
#include <errno.h>

#include "kmodlite-private.h"

#if ENABLE_ZLIB
#include <zlib.h>

static int (*p_inflateInit2_)(z_streamp, int, const char *, int);
static int (*p_inflate)(z_streamp, int);
static int (*p_inflateEnd)(z_streamp);
static int (*p_inflateReset)(z_streamp);

static const struct dl_symbol gz_symbols[] = {
	{ "inflateInit2_", (void **)&p_inflateInit2_ },
	{ "inflate", (void **)&p_inflate },
	{ "inflateEnd", (void **)&p_inflateEnd },
	{ "inflateReset", (void **)&p_inflateReset },
};
static struct dl_library gz_library = { ENABLE_ZLIB_SONAME, gz_symbols, ARRAY_SIZE(gz_symbols), 0 };

int decompress_gzip(const void *in, size_t in_len, size_t max, void **ret_buf, size_t *ret_len)
{
	int r = dl_load(&gz_library);
	if (r < 0)
		return r;

	z_stream zs = { 0 };
	/* 16 + MAX_WBITS: gzip wrapper only; several members are allowed. */
	if (p_inflateInit2_(&zs, 16 + MAX_WBITS, ZLIB_VERSION, (int)sizeof(zs)) != Z_OK)
		return -ENOMEM;
	struct strbuf out = { 0 };
	r = strbuf_reserve(&out, in_len < max / 4 ? in_len * 4 : max);
	const uint8_t *next = in;
	size_t left = in_len;
	while (r == 0) {
		if (out.cap - out.len < 2) {
			r = strbuf_grow_bounded(&out, max);
			if (r < 0)
				break;
		}
		/* zlib counts in uInt: feed at most 1 GiB at a time */
		zs.next_in = (Bytef *)next;
		zs.avail_in = left > (1u << 30) ? 1u << 30 : (uInt)left;
		size_t room = out.cap - 1 - out.len;
		zs.next_out = (Bytef *)out.data + out.len;
		zs.avail_out = room > (1u << 30) ? 1u << 30 : (uInt)room;
		uInt in_before = zs.avail_in, out_before = zs.avail_out;
		int zr = p_inflate(&zs, Z_NO_FLUSH);
		next += in_before - zs.avail_in;
		left -= in_before - zs.avail_in;
		out.len += out_before - zs.avail_out;
		if (out.len > max) {
			r = -EFBIG;
		} else if (zr == Z_STREAM_END) {
			if (left == 0)
				break;
			/* another gzip member may follow; anything else is garbage */
			if (left < 2 || next[0] != 0x1f || next[1] != 0x8b || p_inflateReset(&zs) != Z_OK)
				r = -EBADMSG;
		} else if (zr == Z_MEM_ERROR) {
			r = -ENOMEM;
		} else if (zr == Z_BUF_ERROR && zs.avail_out > 0) {
			r = -EBADMSG; /* input ended before the stream did */
		} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			r = -EBADMSG;
		}
	}
	p_inflateEnd(&zs);
	if (r < 0) {
		free(out.data);
		return r;
	}
	*ret_buf = out.data;
	*ret_len = out.len;
	return 0;
}
#else
int decompress_gzip(const void *in, size_t in_len, size_t max, void **ret_buf, size_t *ret_len)
{
	return -ENOTSUP;
}
#endif
