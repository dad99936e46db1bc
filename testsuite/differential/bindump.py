#!/usr/bin/env python3
"""Dumps binary module indexes (modules.*.bin): every key of the trie in key
order, then its values in stored order with their priorities. The dump does
not depend on how the writer laid out the nodes, so two indexes with the
same content dump the same. Refuses loops and offsets outside the file.

Usage: bindump.py DIR OUTDIR NAME...   (writes OUTDIR/NAME.dump for each DIR/NAME)
"""
import struct, sys

def dump(path, out):
    data = open(path, 'rb').read()
    if len(data) < 12:
        raise ValueError('%s: shorter than a header' % path)
    magic, version, root = struct.unpack_from('>III', data, 0)
    out.write(b'# magic %08x version %08x\n' % (magic, version))
    if magic != 0xB007F457:
        raise ValueError('%s: bad magic %08x' % (path, magic))
    seen = set()
    stack = [(root, b'')]
    entries = 0
    while stack:
        word, key = stack.pop()
        off = word & 0x0FFFFFFF
        if off == 0:
            continue
        if off in seen or off >= len(data):
            raise ValueError('%s: bad or looping node offset %#x' % (path, off))
        seen.add(off)
        p = off
        if word & 0x80000000:
            e = data.index(b'\0', p)
            key += data[p:e]
            p = e + 1
        children = []
        if word & 0x20000000:
            first, last = data[p], data[p + 1]
            p += 2
            for c in range(first, last + 1):
                (w,) = struct.unpack_from('>I', data, p)
                p += 4
                if w & 0x0FFFFFFF:
                    children.append((w, key + bytes([c])))
        if word & 0x40000000:
            (count,) = struct.unpack_from('>I', data, p)
            p += 4
            for _ in range(count):
                (prio,) = struct.unpack_from('>I', data, p)
                p += 4
                e = data.index(b'\0', p)
                out.write(key + b'\t%d\t' % prio + data[p:e] + b'\n')
                p = e + 1
                entries += 1
        stack.extend(reversed(children))
    return entries

# bindump.py DIR OUTDIR NAME...: OUTDIR/NAME.dump for each DIR/NAME
d, outdir = sys.argv[1], sys.argv[2]
for name in sys.argv[3:]:
    with open('%s/%s.dump' % (outdir, name), 'wb') as out:
        try:
            dump('%s/%s' % (d, name), out)
        except (OSError, ValueError, IndexError, struct.error) as e:
            out.write(b'# unreadable: ' + str(e).encode() + b'\n')
