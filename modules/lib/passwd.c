/* User and group names from the image's own /etc/passwd and /etc/group,
 * read as plain files: PID 1 of a container (a static build above all) has
 * no NSS modules to ask, and the image's files are the truth the command
 * would see. Read at setup only (init), so the blocking reads of a regular
 * file are fine there. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modlib.h"

/* passwd has 7 fields, group 4: room for either, and for a line with too
 * many (seen as malformed). */
#define PW_FIELDS 8

/* Called for each entry with its fields: 0 to go on, 1 when found (the
 * walk stops and returns 1), -errno to stop with that error. */
typedef int (*pw_entry_cb)(char **f, size_t n, void *arg);

/* A uid or gid written in decimal, as the files and the config write it;
 * (uid_t)-1 is "no id" to the set*id calls, never a valid one. */
static int pw_number(const char *s, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (0xfffffffeul - (unsigned long)(*s - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return 0;
}

static bool pw_is_number(const char *s)
{
	return *s >= '0' && *s <= '9';
}

/* A name as the files could hold it: no separator, no line break. */
static int pw_check_name(const char *s)
{
	if (!s || !*s || strpbrk(s, ":\n,"))
		return -EINVAL;
	return 0;
}

static size_t pw_split(char *line, char **f)
{
	size_t n = 0;

	line[strcspn(line, "\n")] = '\0';
	f[n++] = line;
	for (char *p = line; (p = strchr(p, ':')) && n < PW_FIELDS; p++) {
		*p = '\0';
		f[n++] = p + 1;
	}
	return n;
}

/* Every entry of ROOT/NAME in order; blank lines, comments and NIS "+" or
 * "-" entries are not entries. 0 when nothing was found, 1 when cb found
 * it, or -errno (the file's own errors included). */
static int pw_walk(const char *root, const char *name, pw_entry_cb cb, void *arg)
{
	char path[4096], *line = NULL, *f[PW_FIELDS];
	size_t cap = 0;
	FILE *fp;
	int r = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/etc/%s", root ? root : "", name) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	fp = fopen(path, "re");
	if (!fp)
		return -errno;
	errno = 0;
	while (r == 0 && getline(&line, &cap, fp) >= 0) {
		if (line[0] == '\n' || line[0] == '#' || line[0] == '+' || line[0] == '-')
			continue;
		r = cb(f, pw_split(line, f), arg);
	}
	if (r == 0 && ferror(fp))
		r = errno ? -errno : -EIO;
	free(line);
	fclose(fp);
	return r;
}

static int pw_copy(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size)
		return -EINVAL;
	strcpy(dst, src);
	return 0;
}

struct pw_want {
	const char *name;  /* by name, or NULL: by id */
	unsigned long id;
	struct ml_user *out;
};

static int pw_user_entry(char **f, size_t n, void *arg)
{
	struct pw_want *w = arg;
	unsigned long uid, gid;
	bool named = n > 0 && w->name && strcmp(f[0], w->name) == 0;

	/* A line that is not name:pw:uid:gid:gecos:home:shell counts only when
	 * it is the one asked for: then the answer would be a guess. */
	if (n != 7 || pw_number(f[2], &uid) < 0 || pw_number(f[3], &gid) < 0)
		return named ? -EINVAL : 0;
	if (!named && (w->name || uid != w->id))
		return 0;
	w->out->uid = (uid_t)uid;
	w->out->gid = (gid_t)gid;
	if (pw_copy(w->out->name, sizeof(w->out->name), f[0]) < 0 ||
	    pw_copy(w->out->home, sizeof(w->out->home), f[5][0] ? f[5] : "/") < 0 ||
	    pw_copy(w->out->shell, sizeof(w->out->shell), f[6]) < 0)
		return -EINVAL;
	return 1;
}

int ml_user_lookup(const char *root, const char *name_or_id, struct ml_user *out)
{
	struct pw_want w = { .out = out };
	int r;

	if (pw_check_name(name_or_id) < 0)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!pw_is_number(name_or_id))
		w.name = name_or_id;
	else if (pw_number(name_or_id, &w.id) < 0)
		return -EINVAL;
	r = pw_walk(root, "passwd", pw_user_entry, &w);
	if (r == 1)
		return 0;
	if (r < 0 && !(r == -ENOENT && !w.name))
		return r;
	if (w.name)
		return -ENOENT;
	/* A bare uid runs without an entry, as docker run --user 1234 does. */
	out->uid = (uid_t)w.id;
	out->gid = (gid_t)w.id;
	snprintf(out->name, sizeof(out->name), "%lu", w.id);
	strcpy(out->home, "/");
	return 0;
}

static int pw_group_entry(char **f, size_t n, void *arg)
{
	struct pw_want *w = arg;
	unsigned long gid;
	bool named = strcmp(f[0], w->name) == 0;

	if (!named)
		return 0;
	if (n != 4 || pw_number(f[2], &gid) < 0)
		return -EINVAL;
	w->id = gid;
	return 1;
}

int ml_group_lookup(const char *root, const char *name_or_id, gid_t *gid)
{
	struct pw_want w = { .name = name_or_id };
	int r;

	if (pw_check_name(name_or_id) < 0)
		return -EINVAL;
	if (pw_is_number(name_or_id)) {
		if (pw_number(name_or_id, &w.id) < 0)
			return -EINVAL;
		*gid = (gid_t)w.id;
		return 0;
	}
	r = pw_walk(root, "group", pw_group_entry, &w);
	if (r == 0)
		return -ENOENT;
	if (r < 0)
		return r;
	*gid = (gid_t)w.id;
	return 0;
}

struct pw_groups {
	const char *name;
	gid_t *groups;
	size_t count, max;
};

static bool pw_member(char *list, const char *name)
{
	for (char *save = NULL, *m = strtok_r(list, ",", &save); m; m = strtok_r(NULL, ",", &save))
		if (strcmp(m, name) == 0)
			return true;
	return false;
}

static int pw_groups_entry(char **f, size_t n, void *arg)
{
	struct pw_groups *g = arg;
	unsigned long gid;

	/* Someone else's broken line must not cost this user its groups. */
	if (n != 4 || pw_number(f[2], &gid) < 0 || !pw_member(f[3], g->name))
		return 0;
	for (size_t i = 0; i < g->count; i++)
		if (g->groups[i] == (gid_t)gid)
			return 0;
	if (g->count == g->max)
		return -ERANGE;
	g->groups[g->count++] = (gid_t)gid;
	return 0;
}

int ml_user_groups(const char *root, const char *name, gid_t gid, gid_t *groups, size_t max)
{
	struct pw_groups g = { .name = name, .groups = groups, .max = max };
	int r;

	if (pw_check_name(name) < 0)
		return -EINVAL;
	if (max == 0)
		return -ERANGE;
	groups[g.count++] = gid;
	r = pw_walk(root, "group", pw_groups_entry, &g);
	/* An image without /etc/group: the user has its primary group only. */
	if (r < 0 && r != -ENOENT)
		return r;
	return (int)g.count;
}
