/* Interim: the strict libyaml parser replaces this file. Until then a
 * configuration file is refused outright rather than half-read. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int cfg_parse_buffer(const char *name, const char *buf, size_t len, struct cfg_doc *doc,
		     char *err, size_t errlen)
{
	(void)buf;
	(void)len;
	memset(doc, 0, sizeof(*doc));
	snprintf(err, errlen, "%s: configuration files are not supported by this build", name);
	return -ENOTSUP;
}

int cfg_parse_file(const char *path, struct cfg_doc *doc, char *err, size_t errlen)
{
	return cfg_parse_buffer(path, NULL, 0, doc, err, errlen);
}

void cfg_doc_free(struct cfg_doc *doc)
{
	(void)doc;
}

int config_load(const char *path, struct config *c, char *err, size_t errlen)
{
	return cfg_parse_file(path, &c->doc, err, errlen);
}

void config_free(struct config *c)
{
	(void)c;
}
