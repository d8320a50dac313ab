/* CLI shortcuts for module options: -r FROM:TO becomes signal-remap's map,
 * -e CODE[:NEW] exit-code's map, merged over what the config says. */
#ifndef MODINIT_SHORTCUTS_H
#define MODINIT_SHORTCUTS_H

#include "cli.h"
#include "config/cfg.h"

struct shortcuts {
	struct cfg_module *modules; /* the config's list, with the shortcuts */
	size_t count;
	void **blocks;              /* every allocation, freed together */
	size_t nblocks;
};

/* 0, or -ENOMEM. */
int shortcuts_build(const struct cli_opts *o, const struct config *c, struct shortcuts *s);
void shortcuts_free(struct shortcuts *s);

#endif
