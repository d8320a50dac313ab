/* Whether modinit may trust a file or directory it loads from or writes
 * into: the one rule behind module files, the directories above them and
 * the state directory (see DESIGN.md, Trust). */
#ifndef MODINIT_TRUST_H
#define MODINIT_TRUST_H

#include <sys/stat.h>

/* What is wrong with a file, as bits: each caller words the reasons its
 * own way and in its own order. */
enum trust_fault {
	TRUST_FOREIGN_OWNER = 1u << 0, /* owned by neither root nor modinit's euid */
	TRUST_SHARED_WRITE = 1u << 1,  /* writable by its group or by others */
};

/* The faults of st, 0 when it may be trusted. The sticky bit does not
 * help: in a 1777 directory others still create names. */
unsigned int trust_faults(const struct stat *st);

#endif
