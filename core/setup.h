/* Setup from the config: the module search path and the modules. */
#ifndef MODINIT_SETUP_H
#define MODINIT_SETUP_H

#include <stddef.h>

#include "config/cfg.h"
#include "loader.h"
#include "modinit.h"

/* --module-path, then the config's module_path, then PKGLIBDIR. */
int setup_module_path(const struct modinit *m, const struct config *c, struct loader_path *p);
/* Load, check and init the mode's module (if any) then every module of
 * list, in order. 0, or -errno with one line in err (exit 78). */
int setup_modules(struct modinit *m, const struct config *c, enum cfg_mode mode,
		  const struct cfg_module *list, size_t count, const struct loader_path *p,
		  char *err, size_t errlen);
/* Free the modules' memory (after events_fini). */
void setup_release(struct modinit *m);
/* --list-modules and --describe-module; both return an exit status. */
int setup_list_modules(const struct loader_path *p);
int setup_describe_module(const struct loader_path *p, const char *name);

#endif
