/* Reading a module's descriptor header straight from its ELF file, so the
 * version checks happen before dlopen runs any of the module's code (its
 * constructors included). */
#ifndef MODINIT_ELF_H
#define MODINIT_ELF_H

#include <stddef.h>
#include <stdint.h>

struct elf_desc_head {
	uint32_t magic;
	uint16_t abi_major;
	uint16_t abi_minor;
	uint32_t size;
};

/* Find the dynamic symbol `symbol` in the ELF shared object open on fd (a
 * regular file, read with pread) and read the first bytes of the object it
 * names. 0, -ENOEXEC (not an ELF shared object of this machine's class),
 * -ENOENT (no such symbol) or -errno. */
int elf_read_symbol_head(int fd, const char *symbol, struct elf_desc_head *out);

#endif
