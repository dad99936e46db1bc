#!/usr/bin/env python3
# cache-canon.py FILE...: for each modules.depmod-cache, "SHA256" of its
# canonical form: the outputs' part (stamps, digest and count, at the end,
# see libkmodlite/depmod-cache.h) and the trailer taken out. Those
# depend on the output files' inodes and times, the rest only on the module
# tree, so two caches of the same tree compare equal. A file whose trailer
# (size, CRC-32) does not match prints "torn-SHA256" of its raw bytes.
import hashlib
import struct
import sys
import zlib


def canon(data):
    raw = "torn-" + hashlib.sha256(data).hexdigest()
    if len(data) < 12:
        return raw
    size, crc = struct.unpack_from("<QI", data, len(data) - 12)
    if size != len(data) or crc != zlib.crc32(data[:-4]):
        return raw
    # the outputs' part ends the file before the trailer: n stamps of 48
    # bytes, the u64 digest, then n itself
    count = data[-13]
    body = data[: len(data) - 12 - 9 - 48 * count]
    return hashlib.sha256(body).hexdigest()


for path in sys.argv[1:]:
    with open(path, "rb") as f:
        print(canon(f.read()))
