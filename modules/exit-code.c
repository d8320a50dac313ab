/* exit-code: replace the container's final exit status.
 *
 *   modules:
 *     - name: exit-code
 *       map: {143: 0, 130: 0}
 *
 * The map applies to the final status, after a signal N that killed the
 * main command has become 128+N: a stop by SIGTERM (143) can count as
 * success. CLI: -e CODE[:NEW] is a map entry, NEW defaulting to 0. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <modinit/module.h>

#include "lib/descriptor.h"

struct ec {
	const struct modinit_host *host;
	short map[256]; /* -1: unchanged, else the new code */
};

static int ec_code(struct ec *e, const struct modinit_node *n, const char *what, int *code,
		   char *err, size_t errlen)
{
	struct modinit_value v;

	if (e->host->parse_node(e->host, MODINIT_OPT_INT, n, what, &v, err, errlen) < 0)
		return -EINVAL;
	if (v.integer < 0 || v.integer > 255)
		return e->host->error_at(e->host, n, err, errlen,
					 "%s: expected an exit code from 0 to 255, got %s", what, n->value);
	*code = (int)v.integer;
	return 0;
}

static int ec_init(const struct modinit_host *host, const struct modinit_options *opts,
		   void **state, char *err, size_t errlen)
{
	const struct modinit_node *map = modinit_opt(opts, "map")->node;
	struct ec *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->host = host;
	for (int i = 0; i < 256; i++)
		e->map[i] = -1;
	for (size_t i = 0; map && i < map->count; i++) {
		char what[64];
		int from, to;

		if (ec_code(e, &map->keys[i], "map", &from, err, errlen) < 0)
			goto fail;
		if (e->map[from] >= 0) {
			host->error_at(host, &map->keys[i], err, errlen, "map: %d is mapped twice", from);
			goto fail;
		}
		snprintf(what, sizeof(what), "map: %d", from);
		if (ec_code(e, &map->items[i], what, &to, err, errlen) < 0)
			goto fail;
		e->map[from] = (short)to;
	}
	*state = e;
	return 0;
fail:
	free(e);
	return -EINVAL;
}

static void ec_on_exit(void *state, int *code)
{
	struct ec *e = state;

	if (*code < 0 || *code > 255 || e->map[*code] < 0)
		return;
	e->host->log(e->host, MODINIT_LOG_INFO, "exit status %d becomes %d", *code, e->map[*code]);
	*code = e->map[*code];
}

static void ec_fini(void *state)
{
	free(state);
}

static const struct modinit_option ec_options[] = {
	{ .key = "map", .type = MODINIT_OPT_MAP, .required = true,
	  .help = "exit status to exit status, e.g. {143: 0}, applied after 128+signal" },
	{ .key = NULL },
};

MODINIT_DESCRIPTOR(exit_code) = {
	MODINIT_MODULE_HEADER,
	.name = "exit-code",
	.version = PACKAGE_VERSION,
	.description = "replace the final exit status, e.g. 143 (stopped by SIGTERM) by 0",
	.options = ec_options,
	.init = ec_init,
	.on_exit = ec_on_exit,
	.fini = ec_fini,
};
