/* The owner and mode rule of trust.h. */
#include "config.h"

#include <unistd.h>

#include "trust.h"

unsigned int trust_faults(const struct stat *st)
{
	unsigned int f = 0;

	if (st->st_uid != 0 && st->st_uid != geteuid())
		f |= TRUST_FOREIGN_OWNER;
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		f |= TRUST_SHARED_WRITE;
	return f;
}
