/* What tests/unit/abi11.c, built against the frozen 1.1 header, offers. */
#ifndef ABI11_H
#define ABI11_H

#include <stddef.h>

extern const size_t abi11_option_size, abi11_value_size;
/* A struct modinit_module as 1.1 built it: options backends, a LIST_OF
 * SECTION (host STRING required, port INT "80"), and mode ENUM. */
extern const struct modinit_module abi11_desc;

#endif
