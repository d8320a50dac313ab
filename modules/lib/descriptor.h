/* How a bundled module names its descriptor.
 *
 * Built as its own .so, a module exports `modinit_module`, as every module
 * does (MODINIT_MODULE_SYMBOL). Compiled into modinit (MODINIT_BUILTIN
 * defined, see Makefile.am), five such symbols would clash in one binary:
 * the descriptor becomes modinit_builtin_ID instead, the name the table of
 * built-in modules in core/builtin.c refers to. ID is the module's name
 * with '-' written '_'. Not part of the ABI: modules built elsewhere use
 * MODINIT_MODULE_EXPORT and modinit_module directly. */
#ifndef MODLIB_DESCRIPTOR_H
#define MODLIB_DESCRIPTOR_H

#include <modinit/module.h>

#ifdef MODINIT_BUILTIN
#define MODINIT_DESCRIPTOR(id) const struct modinit_module modinit_builtin_##id
#else
#define MODINIT_DESCRIPTOR(id) MODINIT_MODULE_EXPORT const struct modinit_module modinit_module
#endif

#endif
