/* The one place modinit calls the dynamic loader. The static modinit is
 * built with MODINIT_STATIC: dlopen in a static glibc binary would need
 * the very shared libraries the static build exists to do without (the
 * link warns so), so there it loads nothing and says why. */
#include "config.h"

#include <stdio.h>

#include "builtin.h"

#ifdef MODINIT_STATIC

const bool loader_dl_available = false;

void *loader_dl_open(const char *name, char *err, size_t errlen)
{
	(void)name;
	snprintf(err, errlen, "loading .so modules needs the dynamic build of modinit");
	return NULL;
}

void *loader_dl_sym(void *dl, const char *symbol)
{
	(void)dl;
	(void)symbol;
	return NULL;
}

#else

#include <dlfcn.h>

const bool loader_dl_available = true;

void *loader_dl_open(const char *name, char *err, size_t errlen)
{
	void *dl = dlopen(name, RTLD_NOW | RTLD_LOCAL);

	if (!dl)
		snprintf(err, errlen, "%s", dlerror());
	return dl;
}

void *loader_dl_sym(void *dl, const char *symbol)
{
	return dlsym(dl, symbol);
}

#endif
