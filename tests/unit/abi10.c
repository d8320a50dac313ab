/* Built against the frozen 1.0 header (tests/fixtures/abi-1.0): a 1.0
 * descriptor with a 1.0 schema, the 1.0 sizes, and values read the way a
 * 1.0 module reads them (its inline modinit_opt), for test_options. */
#include <modinit/module.h>

#include "abi10.h"

const size_t abi10_option_size = sizeof(struct modinit_option);
const size_t abi10_value_size = sizeof(struct modinit_value);
const size_t abi10_spawn_size = sizeof(struct modinit_spawn_opts);
const size_t abi10_desc_size = sizeof(struct modinit_module);
const size_t abi10_host_size = sizeof(struct modinit_host);

static const struct modinit_option abi10_options[] = {
	{ "count", MODINIT_OPT_INT, "5", "an integer", false },
	{ "word", MODINIT_OPT_STRING, NULL, "a string", true },
	{ "args", MODINIT_OPT_STRING_LIST, NULL, "a list", false },
	{ "stop", MODINIT_OPT_SIGNAL, "SIGHUP", "a signal", false },
	{ NULL, 0, NULL, NULL, false },
};

const struct modinit_module abi10_desc = {
	MODINIT_MODULE_HEADER,
	.name = "old",
	.options = abi10_options,
};

long long abi10_integer(const void *opts, const char *key)
{
	return modinit_opt(opts, key)->integer;
}

const char *abi10_str(const void *opts, const char *key)
{
	return modinit_opt(opts, key)->str;
}

int abi10_signo(const void *opts, const char *key)
{
	return modinit_opt(opts, key)->signo;
}

size_t abi10_count(const void *opts, const char *key)
{
	return modinit_opt(opts, key)->count;
}
