"""Overwrites bytes inside one section of an ELF64 little-endian file.

Usage: patch_elf.py IN OUT SECTION OFFSET U64
Writes the little-endian u64 U64 at byte OFFSET of section SECTION (by name)
of IN and saves the result as OUT. Used by the malformed-binary lit tests to
produce a file that is well formed except for one field.
"""
import struct
import sys


def section_offset(data, name):
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)

    def header(index):
        base = shoff + index * shentsize
        sh_name, _, _, _, sh_offset, sh_size = struct.unpack_from(
            "<IIQQQQ", data, base)
        return sh_name, sh_offset, sh_size

    _, strtab_offset, _ = header(shstrndx)
    for index in range(shnum):
        sh_name, sh_offset, _ = header(index)
        start = strtab_offset + sh_name
        end = data.index(b"\0", start)
        if data[start:end].decode() == name:
            return sh_offset
    sys.exit(f"no section named {name}")


def main():
    source, target, name, offset, value = sys.argv[1:6]
    data = bytearray(open(source, "rb").read())
    position = section_offset(data, name) + int(offset, 0)
    struct.pack_into("<Q", data, position, int(value, 0))
    open(target, "wb").write(bytes(data))


if __name__ == "__main__":
    main()
