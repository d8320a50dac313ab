/* The modules compiled into this modinit, and whether it can load .so
 * modules at all. Each binary links its own variant of core/builtin.c and
 * core/dl.c (see Makefile.am): the dynamic modinit loads .so files, the
 * static one (MODINIT_STATIC) has no dynamic loader and only built-ins. */
#ifndef MODINIT_BUILTIN_H
#define MODINIT_BUILTIN_H

#include <stdbool.h>
#include <stddef.h>

#include <modinit/module.h>

/* NULL-terminated, in the order --list-modules shows them. */
extern const struct modinit_module *const builtin_modules[];

/* false in the static modinit: a module that is not built in is refused
 * at lookup, before any file is opened. */
extern const bool loader_dl_available;
/* dlopen(name, RTLD_NOW | RTLD_LOCAL): the handle, or NULL with the
 * dynamic linker's message in err. */
void *loader_dl_open(const char *name, char *err, size_t errlen);
void *loader_dl_sym(void *dl, const char *symbol);

#endif
