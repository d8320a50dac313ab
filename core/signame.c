/* Signal names: the one table behind the config, the command line, the log
 * lines and the modules that name signals. Modules link no core symbols, so
 * a module that prints signal names compiles this file too (hidden there,
 * like all of a module but its descriptor). It uses nothing but libc. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <strings.h>

#include "signame.h"

struct signame_entry {
	const char *name;
	int num;
};

/* Standard Linux signals by name. Real-time ones are SIGRTMIN+n/SIGRTMAX-n. */
static const struct signame_entry signame_table[] = {
	{ "HUP", SIGHUP },     { "INT", SIGINT },       { "QUIT", SIGQUIT },
	{ "ILL", SIGILL },     { "TRAP", SIGTRAP },     { "ABRT", SIGABRT },
	{ "IOT", SIGIOT },     { "BUS", SIGBUS },       { "FPE", SIGFPE },
	{ "KILL", SIGKILL },   { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },
	{ "TERM", SIGTERM },   { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },
	{ "CLD", SIGCHLD },    { "CONT", SIGCONT },     { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP },   { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },
	{ "URG", SIGURG },     { "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },   { "WINCH", SIGWINCH },
	{ "IO", SIGIO },       { "POLL", SIGPOLL },     { "PWR", SIGPWR },
	{ "SYS", SIGSYS },
};

#define SIGNAME_COUNT (sizeof(signame_table) / sizeof(signame_table[0]))

int signame_lookup(const char *abbrev, int *sig)
{
	for (size_t i = 0; i < SIGNAME_COUNT; i++) {
		if (strcasecmp(abbrev, signame_table[i].name) == 0) {
			*sig = signame_table[i].num;
			return 0;
		}
	}
	return -EINVAL;
}

const char *signame_abbrev(int sig)
{
	/* The table lists aliases (IOT, CLD, POLL) after the canonical name. */
	for (size_t i = 0; i < SIGNAME_COUNT; i++)
		if (signame_table[i].num == sig)
			return signame_table[i].name;
	return NULL;
}

const char *signal_name(int sig, char *buf, size_t len)
{
	const char *abbrev = signame_abbrev(sig);

	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else if (sig == SIGRTMIN)
		snprintf(buf, len, "SIGRTMIN");
	else if (sig > SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, len, "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, len, "SIG?%d", sig);
	return buf;
}
