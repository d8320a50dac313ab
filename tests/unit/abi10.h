/* What tests/unit/abi10.c, built against the frozen 1.0 header, offers. */
#ifndef ABI10_H
#define ABI10_H

#include <stddef.h>

extern const size_t abi10_option_size, abi10_value_size, abi10_spawn_size, abi10_desc_size,
	abi10_host_size;
/* A struct modinit_module as 1.0 built it: options count INT "5", word
 * STRING required, args STRING_LIST, stop SIGNAL "SIGHUP". */
extern const struct modinit_module abi10_desc;
/* modinit_opt(opts, key)->... as a 1.0 module reads it. */
long long abi10_integer(const void *opts, const char *key);
const char *abi10_str(const void *opts, const char *key);
int abi10_signo(const void *opts, const char *key);
size_t abi10_count(const void *opts, const char *key);

#endif
