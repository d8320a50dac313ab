/* modlib: the receiving side of systemd's notify protocol (sd_notify(3)),
 * shared by notify (the main command) and services (each sidecar): a
 * non-blocking datagram socket with the senders' credentials on, and one
 * datagram read from it with every attached descriptor closed. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "modlib.h"

/* The sender's pid from its SCM_CREDENTIALS (0 without), and every
 * descriptor it attached closed: a sender must not fill PID 1's table. */
static pid_t ml_sdn_cmsgs(struct msghdr *mh)
{
	pid_t pid = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			struct ucred uc;

			memcpy(&uc, CMSG_DATA(c), sizeof(uc));
			pid = uc.pid;
		} else if (c->cmsg_type == SCM_RIGHTS) {
			size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < nfd; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
				close(fd);
			}
		}
	}
	return pid;
}

int ml_sdn_recv(int sock, char *buf, pid_t *pid, size_t *len)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(ML_SDN_FDS * sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = ML_SDN_MSG };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	ssize_t n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? ML_SDN_NONE : -errno;
	*pid = ml_sdn_cmsgs(&mh);
	*len = (size_t)n;
	if (mh.msg_flags & MSG_TRUNC)
		return ML_SDN_LONG;
	buf[n] = '\0';
	/* A NUL inside: not a text message. */
	return strlen(buf) == (size_t)n ? ML_SDN_TEXT : ML_SDN_BINARY;
}

int ml_sdn_bind(int *sock, const struct sockaddr_un *sa, socklen_t salen)
{
	int one = 1;

	*sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (*sock < 0)
		return -errno;
	if (setsockopt(*sock, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
		return -errno;
	if (bind(*sock, (const struct sockaddr *)sa, salen) < 0)
		return -errno;
	return 0;
}

/* A name nobody else in the network namespace uses: several modinits
 * (the containers of a pod) share one, each being PID 1. */
void ml_sdn_abstract(const struct modinit_host *h, const char *prefix, struct sockaddr_un *sa,
		     socklen_t *salen, char *address, size_t len)
{
	unsigned char rnd[8];
	uint64_t v = h->now_ms(h) ^ ((uint64_t)getpid() << 40);
	char name[64];

	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) == (ssize_t)sizeof(rnd))
		memcpy(&v, rnd, sizeof(v));
	snprintf(name, sizeof(name), "%s-%016llx", prefix, (unsigned long long)v);
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path + 1, name, strlen(name));
	*salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
	snprintf(address, len, "@%s", name);
}
