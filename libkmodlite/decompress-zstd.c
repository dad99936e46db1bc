// SPDX-License-Identifier: LGPL-2.1-or-later
/* zstd decompression through libzstd, opened on first use. */
#include <errno.h>

#include "kmodlite-private.h"

#if ENABLE_ZSTD
#include <zstd.h>

static ZSTD_DStream *(*p_ZSTD_createDStream)(void);
static size_t (*p_ZSTD_freeDStream)(ZSTD_DStream *);
static size_t (*p_ZSTD_initDStream)(ZSTD_DStream *);
static size_t (*p_ZSTD_decompressStream)(ZSTD_DStream *, ZSTD_outBuffer *, ZSTD_inBuffer *);
static unsigned (*p_ZSTD_isError)(size_t);
static unsigned long long (*p_ZSTD_getFrameContentSize)(const void *, size_t);
static size_t (*p_ZSTD_DStreamOutSize)(void);
static ZSTD_DCtx *(*p_ZSTD_createDCtx)(void);
static size_t (*p_ZSTD_freeDCtx)(ZSTD_DCtx *);
static size_t (*p_ZSTD_decompressDCtx)(ZSTD_DCtx *, void *, size_t, const void *, size_t);

static const struct dl_symbol zstd_symbols[] = {
	{ "ZSTD_createDStream", (void **)&p_ZSTD_createDStream },
	{ "ZSTD_freeDStream", (void **)&p_ZSTD_freeDStream },
	{ "ZSTD_initDStream", (void **)&p_ZSTD_initDStream },
	{ "ZSTD_decompressStream", (void **)&p_ZSTD_decompressStream },
	{ "ZSTD_isError", (void **)&p_ZSTD_isError },
	{ "ZSTD_getFrameContentSize", (void **)&p_ZSTD_getFrameContentSize },
	{ "ZSTD_DStreamOutSize", (void **)&p_ZSTD_DStreamOutSize },
	{ "ZSTD_createDCtx", (void **)&p_ZSTD_createDCtx },
	{ "ZSTD_freeDCtx", (void **)&p_ZSTD_freeDCtx },
	{ "ZSTD_decompressDCtx", (void **)&p_ZSTD_decompressDCtx },
};
static struct dl_library zstd_library = { ENABLE_ZSTD_SONAME, zstd_symbols,
					  ARRAY_SIZE(zstd_symbols), 0 };

/*
 * The usual case: one frame that says how big its content is. Decoded in one
 * call straight into a buffer of that size, without the streaming decoder's
 * window copy. The size is only trusted up to MAX, and a frame that holds
 * more or less than it says is an error of the decoder.
 */
static int decompress_sized(const void *in, size_t in_len, size_t size, void **ret_buf,
			    size_t *ret_len)
{
	char *out = malloc(size + 1);
	ZSTD_DCtx *dc = p_ZSTD_createDCtx();
	if (!out || !dc) {
		free(out);
		if (dc)
			p_ZSTD_freeDCtx(dc);
		return -ENOMEM;
	}
	size_t n = p_ZSTD_decompressDCtx(dc, out, size, in, in_len);
	p_ZSTD_freeDCtx(dc);
	if (p_ZSTD_isError(n) || n != size) {
		free(out);
		return -EBADMSG;
	}
	out[n] = '\0';
	*ret_buf = out;
	*ret_len = n;
	return 0;
}

int decompress_zstd(const void *in, size_t in_len, size_t max, void **ret_buf, size_t *ret_len)
{
	int r = dl_load(&zstd_library);
	if (r < 0)
		return r;

	unsigned long long hint = p_ZSTD_getFrameContentSize(in, in_len);
	size_t cap = p_ZSTD_DStreamOutSize();
	if (hint != ZSTD_CONTENTSIZE_UNKNOWN && hint != ZSTD_CONTENTSIZE_ERROR) {
		if (hint > max)
			return -EFBIG;
		r = decompress_sized(in, in_len, (size_t)hint, ret_buf, ret_len);
		if (r != -EBADMSG)
			return r;
		/* several frames, or a lying header: the checked streaming path
		 * below gives the definitive answer */
		cap = (size_t)hint + 1;
	}

	ZSTD_DStream *ds = p_ZSTD_createDStream();
	if (!ds)
		return -ENOMEM;
	struct strbuf out = { 0 };
	ZSTD_inBuffer ib = { in, in_len, 0 };
	size_t ret = p_ZSTD_initDStream(ds);
	r = p_ZSTD_isError(ret) ? -EBADMSG : strbuf_reserve(&out, cap);
	size_t last = 1;
	while (r == 0) {
		if (out.cap - out.len < 2) {
			r = strbuf_grow_bounded(&out, max);
			if (r < 0)
				break;
		}
		ZSTD_outBuffer ob = { out.data, out.cap - 1, out.len };
		last = p_ZSTD_decompressStream(ds, &ob, &ib);
		if (p_ZSTD_isError(last)) {
			r = -EBADMSG;
			break;
		}
		out.len = ob.pos;
		if (out.len > max) {
			r = -EFBIG;
			break;
		}
		if (last == 0 && ib.pos == ib.size)
			break;
		if (ib.pos == ib.size && ob.pos < ob.size) {
			r = -EBADMSG; /* input ended inside a frame */
			break;
		}
	}
	p_ZSTD_freeDStream(ds);
	if (r < 0) {
		free(out.data);
		return r;
	}
	*ret_buf = out.data;
	*ret_len = out.len;
	return 0;
}
#else
int decompress_zstd(const void *in, size_t in_len, size_t max, void **ret_buf, size_t *ret_len)
{
	return -ENOTSUP;
}
#endif
