/* mode: wait-all-children. Signals go to every process; after the main
 * command exits modinit keeps reaping until nothing is left, then ends with
 * the MAIN command's status (a later exit cannot change it). A stop signal
 * starts the shutdown sequence for everyone: the stop signal to all, then
 * SIGKILL after the grace period. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include <modinit/module.h>

#include "lib/descriptor.h"

struct wac {
	const struct modinit_host *host;
	int stop_signal;
	bool stopping;
};

static int wac_init(const struct modinit_host *host, const struct modinit_options *opts,
		    void **state, char *err, size_t errlen)
{
	struct wac *w = calloc(1, sizeof(*w));

	(void)err;
	(void)errlen;
	if (!w)
		return -ENOMEM;
	w->host = host;
	w->stop_signal = modinit_opt(opts, "stop_signal")->signo;
	*state = w;
	return 0;
}

static int wac_signal(void *state, struct modinit_signal *sig)
{
	struct wac *w = state;

	sig->target = MODINIT_TARGET_ALL;
	if (sig->signo != w->stop_signal || w->stopping)
		return MODINIT_SIGNAL_PASS;
	/* The shutdown sequence sends the stop signal to everyone itself and
	 * escalates to SIGKILL after the grace period. */
	w->stopping = true;
	w->host->request_shutdown(w->host, MODINIT_EXIT_MAIN, "stop signal received");
	return MODINIT_SIGNAL_CONSUMED;
}

static int wac_main_exit(void *state, int status)
{
	struct wac *w = state;

	(void)status;
	w->host->log(w->host, MODINIT_LOG_DEBUG, "main command ended; waiting for every process");
	return MODINIT_MAIN_EXIT_WAIT_ALL;
}

static void wac_fini(void *state)
{
	free(state);
}

static const struct modinit_option wac_options[] = {
	{ .key = "stop_signal", .type = MODINIT_OPT_SIGNAL, .default_value = "SIGTERM",
	  .help = "the signal that starts the shutdown of every process" },
	{ .key = NULL },
};

MODINIT_DESCRIPTOR(wait_all_children) = {
	MODINIT_MODULE_HEADER,
	.name = "wait-all-children",
	.version = PACKAGE_VERSION,
	.description = "signals go to every process; end when all have exited, with the main status",
	.options = wac_options,
	.init = wac_init,
	.on_signal = wac_signal,
	.on_main_exit = wac_main_exit,
	.fini = wac_fini,
};
