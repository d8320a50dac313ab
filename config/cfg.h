/* The configuration: libyaml in, a plain marked tree (struct modinit_node)
 * and plain structs out. No yaml.h type leaves this folder. */
#ifndef MODINIT_CONFIG_H
#define MODINIT_CONFIG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <modinit/module.h>

#define CONFIG_MAX_DEPTH 32

/* A parsed document: the tree plus the memory behind it. */
struct cfg_doc {
	const struct modinit_node *root; /* NULL for an empty document */
	void *mem;                        /* private */
};

/* Parse YAML text strictly (no anchors/aliases, no duplicate keys, one
 * document, valid UTF-8, depth <= CONFIG_MAX_DEPTH, scalar keys only).
 * name is the file name used in messages. Returns 0, or -EINVAL with one
 * line "NAME:LINE:COL: message" (1-based) in err. */
int cfg_parse_buffer(const char *name, const char *buf, size_t len, struct cfg_doc *doc,
		     char *err, size_t errlen);
/* The same for a file; a file that cannot be read is "NAME: strerror". */
int cfg_parse_file(const char *path, struct cfg_doc *doc, char *err, size_t errlen);
void cfg_doc_free(struct cfg_doc *doc);

/* The one place error lines get their position: "WHERE: WHO: message" in
 * err, WHO left out when NULL. WHERE is "FILE:LINE:COL" for a node of the
 * file ("config" when file is NULL), "command line" for a node a command-line
 * shortcut built (line 0), "FILE" without a node, nothing without either.
 * Always returns -EINVAL, so that a failing check can return it. */
int cfg_verror(char *err, size_t errlen, const char *file, const struct modinit_node *at,
	       const char *who, const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));
int cfg_error(char *err, size_t errlen, const char *file, const struct modinit_node *at,
	      const char *who, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

enum cfg_mode { CFG_MODE_WAIT = 0, CFG_MODE_WAIT_ALL, CFG_MODE_EXEC };
#define CFG_MODE_EXPECTED "wait, wait-all-children or exec"
/* The one table of mode names, for the config's mode:, --mode and the
 * module a mode loads (every mode but wait is the module of its name). */
const char *cfg_mode_name(enum cfg_mode mode);
/* 0 and *mode, or -EINVAL for a word that is not a mode. */
int cfg_mode_parse(const char *s, enum cfg_mode *mode);
enum cfg_tristate { CFG_AUTO = 0, CFG_TRUE, CFG_FALSE };

/* The one module-name rule, for the config's name: and the descriptor's
 * name: non-empty [a-z0-9-] (a name is a file name and a log prefix). */
#define CFG_MODULE_NAME_RULE "[a-z0-9-]"
bool cfg_module_name_ok(const char *name);

struct cfg_module {
	const char *name; /* name: (NULL if path: given) */
	const char *path; /* path: (NULL if name: given) */
	const struct modinit_node *node; /* the whole item (a MAP) */
};

/* The top-level keys, checked and converted. Pointers point into doc. */
struct config {
	struct cfg_doc doc;
	const char *file;
	enum cfg_mode mode;          bool mode_set;
	char **command;              /* NULL-terminated; NULL if absent */
	enum cfg_tristate subreaper;
	int stop_signal;             bool stop_signal_set;
	uint64_t grace_ms;           bool grace_set;
	int log_level;               bool log_level_set; /* enum log_level */
	const char *state_dir;       /* NULL if absent */
	const char **module_path;    /* NULL-terminated; NULL if absent */
	struct cfg_module *modules;
	size_t module_count;
};

/* Parse and check path into c. 0, or -EINVAL with "FILE:LINE:COL: message"
 * in err (module options are checked later, against each module's schema).
 * Call config_free even on failure. */
int config_load(const char *path, struct config *c, char *err, size_t errlen);
/* The same for text in memory; name is used in messages. */
int config_load_buffer(const char *name, const char *buf, size_t len, struct config *c,
		       char *err, size_t errlen);
void config_free(struct config *c);

#endif
