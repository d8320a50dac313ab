/* mode: exec. modinit runs the other modules' on_start, then execve()s the
 * command so that it becomes PID 1 itself: for commands that are
 * supervisors (systemd, supervisord, runit). modinit does nothing after
 * that, so a module that needs a running init is refused beside this one. */
#include "config.h"

#include <modinit/module.h>

#include "lib/descriptor.h"

MODINIT_DESCRIPTOR(exec) = {
	MODINIT_MODULE_HEADER,
	.flags = MODINIT_FLAG_EXEC,
	.name = "exec",
	.version = PACKAGE_VERSION,
	.description = "replace modinit with the command after setup (the command becomes PID 1)",
};
