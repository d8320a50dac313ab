#include "config.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfsym.h"

/* Native class only: a module must be loadable by this very binary. */
#if __SIZEOF_POINTER__ == 8
typedef Elf64_Ehdr Ehdr;
typedef Elf64_Shdr Shdr;
typedef Elf64_Phdr Phdr;
typedef Elf64_Sym Sym;
#define ELF_CLASS ELFCLASS64
#else
typedef Elf32_Ehdr Ehdr;
typedef Elf32_Shdr Shdr;
typedef Elf32_Phdr Phdr;
typedef Elf32_Sym Sym;
#define ELF_CLASS ELFCLASS32
#endif

struct elf_file {
	const unsigned char *data;
	size_t size;
};

/* Bounds-checked view into the file: a hostile file must not crash PID 1. */
static const void *elf_at(const struct elf_file *f, uint64_t off, uint64_t len)
{
	if (off > f->size || len > f->size - off)
		return NULL;
	return f->data + off;
}

static int elf_check_header(const struct elf_file *f, const Ehdr **eh)
{
	const Ehdr *h = elf_at(f, 0, sizeof(Ehdr));

	if (!h || memcmp(h->e_ident, ELFMAG, SELFMAG) != 0 || h->e_ident[EI_CLASS] != ELF_CLASS ||
	    h->e_type != ET_DYN || h->e_shentsize != sizeof(Shdr) || h->e_phentsize != sizeof(Phdr))
		return -ENOEXEC;
	*eh = h;
	return 0;
}

/* Virtual address to file offset, through the PT_LOAD segments. */
static int elf_vaddr_to_off(const struct elf_file *f, const Ehdr *h, uint64_t vaddr, uint64_t len,
			    uint64_t *off)
{
	const Phdr *ph = elf_at(f, h->e_phoff, (uint64_t)h->e_phnum * sizeof(Phdr));

	if (!ph)
		return -ENOEXEC;
	for (unsigned i = 0; i < h->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || vaddr < ph[i].p_vaddr ||
		    vaddr + len > ph[i].p_vaddr + ph[i].p_filesz)
			continue;
		*off = vaddr - ph[i].p_vaddr + ph[i].p_offset;
		return 0;
	}
	return -ENOEXEC;
}

static int elf_find_symbol(const struct elf_file *f, const Ehdr *h, const char *symbol,
			   uint64_t *vaddr)
{
	const Shdr *sh = elf_at(f, h->e_shoff, (uint64_t)h->e_shnum * sizeof(Shdr));

	if (!sh)
		return -ENOEXEC;
	for (unsigned i = 0; i < h->e_shnum; i++) {
		const Sym *syms;
		const char *strs;
		uint64_t n;

		if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= h->e_shnum)
			continue;
		n = sh[i].sh_size / sizeof(Sym);
		syms = elf_at(f, sh[i].sh_offset, n * sizeof(Sym));
		strs = elf_at(f, sh[sh[i].sh_link].sh_offset, sh[sh[i].sh_link].sh_size);
		if (!syms || !strs)
			return -ENOEXEC;
		for (uint64_t k = 0; k < n; k++) {
			uint64_t name = syms[k].st_name, max = sh[sh[i].sh_link].sh_size;

			if (syms[k].st_shndx == SHN_UNDEF || name >= max ||
			    strnlen(strs + name, max - name) == max - name)
				continue;
			if (strcmp(strs + name, symbol) == 0) {
				*vaddr = syms[k].st_value;
				return 0;
			}
		}
	}
	return -ENOENT;
}

/* pread from offset 0: the caller's descriptor is the very file it checked
 * and will load, and its offset is left alone. */
static int elf_read_file(int fd, struct elf_file *f)
{
	struct stat st;
	unsigned char *buf;
	size_t got = 0;

	/* A module is small; refuse anything absurd rather than map it. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > 64 * 1024 * 1024)
		return -ENOEXEC;
	buf = malloc((size_t)st.st_size);
	while (buf && got < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + got, (size_t)st.st_size - got, (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (!buf || got != (size_t)st.st_size) {
		free(buf);
		return buf ? -EIO : -ENOMEM;
	}
	f->data = buf;
	f->size = got;
	return 0;
}

int elf_read_symbol_head(int fd, const char *symbol, struct elf_desc_head *out)
{
	struct elf_file f = { 0 };
	const Ehdr *h;
	uint64_t vaddr, off;
	const void *p;
	int r = elf_read_file(fd, &f);

	if (r < 0)
		return r;
	r = elf_check_header(&f, &h);
	if (r == 0)
		r = elf_find_symbol(&f, h, symbol, &vaddr);
	if (r == 0)
		r = elf_vaddr_to_off(&f, h, vaddr, sizeof(*out), &off);
	if (r == 0) {
		p = elf_at(&f, off, sizeof(*out));
		if (p)
			memcpy(out, p, sizeof(*out));
		else
			r = -ENOEXEC;
	}
	free((void *)f.data);
	return r;
}
