#!/usr/bin/env python3
# cache-canon.py FILE...: for each modules.depmod-cache, "SHA256" of its
# canonical form: the stamps of the outputs (digest, count and stamps in the
# header, see libkmodlite/depmod-cache.h) and the trailer taken out. Those
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
    at = 8 + 4 + 4 + 8
    at += 1 + data[at]
    at += 2 + struct.unpack_from("<H", data, at)[0]
    start = at
    at += 8
    count = data[at]
    at += 1 + 48 * count
    body = data[:start] + data[at:-12]
    return hashlib.sha256(body).hexdigest()


for path in sys.argv[1:]:
    with open(path, "rb") as f:
        print(canon(f.read()))
