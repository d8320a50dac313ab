/* The table of built-in modules. Compiled with MODINIT_BUILTINS into the
 * binaries that link the bundled modules in (libbuiltin.a, whose sources
 * name their descriptors with MODINIT_DESCRIPTOR), and without it into
 * libcore.a, where the table is empty.
 *
 * Adding a bundled module: its .c file to builtin_sources in Makefile.am,
 * and one X(id) line below (id: the name with '-' written '_'). */
#include "config.h"

#include "builtin.h"

#ifdef MODINIT_BUILTINS
#define BUILTINS(X)            \
	X(wait_all_children)   \
	X(exec)                \
	X(signal_remap)        \
	X(exit_code)           \
	X(healthcheck)         \
	X(user)                \
	X(hooks)               \
	X(notify)              \
	X(services)
#else
#define BUILTINS(X)
#endif

#define BUILTIN_DECLARE(id) extern const struct modinit_module modinit_builtin_##id;
#define BUILTIN_ENTRY(id) &modinit_builtin_##id,

BUILTINS(BUILTIN_DECLARE)

const struct modinit_module *const builtin_modules[] = { BUILTINS(BUILTIN_ENTRY) NULL };
