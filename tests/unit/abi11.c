/* Built against the frozen 1.1 header (tests/fixtures/abi-1.1): a 1.1
 * descriptor whose schema entries are laid out 1.1's way, without the 1.2
 * name_key, for test_options. */
#include <modinit/module.h>

#include "abi11.h"

const size_t abi11_option_size = sizeof(struct modinit_option);
const size_t abi11_value_size = sizeof(struct modinit_value);

static const char *const abi11_modes[] = { "fast", "slow", NULL };

static const struct modinit_option abi11_fields[] = {
	{ .key = "host", .type = MODINIT_OPT_STRING, .required = true },
	{ .key = "port", .type = MODINIT_OPT_INT, .default_value = "80" },
	{ .key = NULL },
};

static const struct modinit_option abi11_options[] = {
	{ .key = "backends", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_SECTION,
	  .fields = abi11_fields },
	{ .key = "mode", .type = MODINIT_OPT_ENUM, .choices = abi11_modes },
	{ .key = NULL },
};

const struct modinit_module abi11_desc = {
	MODINIT_MODULE_HEADER,
	.name = "old11",
	.options = abi11_options,
};
