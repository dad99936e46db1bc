// SPDX-License-Identifier: LGPL-2.1-or-later
/* xz decompression through liblzma, opened on first use. */
#include <errno.h>

#include "kmodlite-private.h"

#if ENABLE_XZ
#include <lzma.h>

static lzma_ret (*p_lzma_stream_decoder)(lzma_stream *, uint64_t, uint32_t);
static lzma_ret (*p_lzma_code)(lzma_stream *, lzma_action);
static void (*p_lzma_end)(lzma_stream *);

static const struct dl_symbol xz_symbols[] = {
	{ "lzma_stream_decoder", (void **)&p_lzma_stream_decoder },
	{ "lzma_code", (void **)&p_lzma_code },
	{ "lzma_end", (void **)&p_lzma_end },
};
static struct dl_library xz_library = { ENABLE_XZ_SONAME, xz_symbols, ARRAY_SIZE(xz_symbols), 0 };

int decompress_xz(const void *in, size_t in_len, size_t max, void **ret_buf, size_t *ret_len)
{
	int r = dl_load(&xz_library);
	if (r < 0)
		return r;

	lzma_stream strm = LZMA_STREAM_INIT;
	/* 256 MiB of decoder memory is far beyond any module's dictionary. */
	if (p_lzma_stream_decoder(&strm, (uint64_t)256 << 20, LZMA_CONCATENATED) != LZMA_OK)
		return -ENOMEM;
	struct strbuf out = { 0 };
	/* Modules compress about 3-4x; start there and grow. */
	r = strbuf_reserve(&out, in_len < max / 4 ? in_len * 4 : max);
	strm.next_in = in;
	strm.avail_in = in_len;
	while (r == 0) {
		if (out.cap - out.len < 2) {
			r = strbuf_grow_bounded(&out, max);
			if (r < 0)
				break;
		}
		strm.next_out = (uint8_t *)out.data + out.len;
		strm.avail_out = out.cap - 1 - out.len;
		lzma_ret lr = p_lzma_code(&strm, LZMA_FINISH);
		out.len = out.cap - 1 - strm.avail_out;
		if (out.len > max) {
			r = -EFBIG;
			break;
		}
		if (lr == LZMA_STREAM_END)
			break;
		if (lr == LZMA_MEM_ERROR)
			r = -ENOMEM;
		else if (lr != LZMA_OK && lr != LZMA_BUF_ERROR)
			r = -EBADMSG;
		else if (lr == LZMA_BUF_ERROR && strm.avail_out > 0)
			r = -EBADMSG; /* truncated stream: no progress possible */
	}
	p_lzma_end(&strm);
	if (r < 0) {
		free(out.data);
		return r;
	}
	*ret_buf = out.data;
	*ret_len = out.len;
	return 0;
}
#else
int decompress_xz(const void *in, size_t in_len, size_t max, void **ret_buf, size_t *ret_len)
{
	return -ENOTSUP;
}
#endif
