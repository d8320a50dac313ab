/* Counting zombies in /proc, shared by the test workloads (testchild) and
 * the benchmark's (modbench). Inside a PID namespace with its own /proc
 * this is the namespace's count. Returns -1 if /proc cannot be read. */
#ifndef MODINIT_TEST_ZOMBIES_H
#define MODINIT_TEST_ZOMBIES_H

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static inline long zombies_count(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	long n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[300], buf[512];
		const char *p;
		ssize_t len;
		int fd;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue; /* gone meanwhile */
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* The state follows the command name, which may hold spaces
		 * and parentheses: take the last ')'. */
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'Z')
			n++;
	}
	closedir(d);
	return n;
}

#endif
