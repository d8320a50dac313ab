#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "log.h"
#include "setup.h"

int setup_module_path(const struct modinit *m, const struct config *c, struct loader_path *p)
{
	int r = 0;

	for (int i = 0; r == 0 && i < m->opts.module_path_count; i++)
		r = loader_path_add(p, m->opts.module_path[i]);
	for (size_t i = 0; r == 0 && c->module_path && c->module_path[i]; i++)
		r = loader_path_add(p, c->module_path[i]);
	if (r == 0)
		r = loader_path_add(p, PKGLIBDIR);
	return r;
}

static int setup_check_unique(const struct modinit *m, size_t upto, char *err, size_t errlen)
{
	const struct module *mod = &m->modules[upto];

	for (size_t i = 0; i < upto; i++) {
		if (strcmp(m->modules[i].desc->name, mod->desc->name) == 0) {
			snprintf(err, errlen, "two modules named \"%s\": %s and %s", mod->desc->name,
				 m->modules[i].file, mod->file);
			return -EEXIST;
		}
	}
	return 0;
}

static int setup_init_one(struct modinit *m, struct module *mod, char *err, size_t errlen)
{
	int r;

	events_host_init(m, mod);
	if (!mod->desc->init) {
		mod->initialised = true;
		return 0;
	}
	err[0] = '\0';
	r = mod->desc->init(&mod->host, &mod->opts, &mod->state, err, errlen);
	if (r < 0) {
		if (!err[0])
			snprintf(err, errlen, "%s", strerror(-r));
		return r;
	}
	mod->initialised = true;
	return 0;
}

/* One module: find, open, check, validate options, init. */
static int setup_one(struct modinit *m, const struct config *c, const struct loader_path *p,
		     size_t idx, const struct cfg_module *cm, char *err, size_t errlen)
{
	struct module *mod = &m->modules[idx];
	char why[768];
	int r;

	r = loader_lookup(p, cm->name, cm->path, mod, why, sizeof(why));
	if (r == 0)
		r = setup_check_unique(m, idx, why, sizeof(why));
	if (r < 0) {
		cfg_error(err, errlen, c->file, cm->node, NULL, "%s", why);
		return r;
	}
	r = loader_options(mod, c->file, cm->node, err, errlen);
	if (r < 0)
		return r;
	r = setup_init_one(m, mod, why, sizeof(why));
	if (r < 0 && mod->err_positioned)
		snprintf(err, errlen, "%s", why);
	else if (r < 0)
		cfg_error(err, errlen, c->file, cm->node, mod->desc->name, "%s", why);
	return r;
}

static int setup_check_exec(const struct modinit *m, char *err, size_t errlen)
{
	const struct module *exec = NULL;

	for (size_t i = 0; i < m->module_count; i++)
		if (m->modules[i].desc->flags & MODINIT_FLAG_EXEC)
			exec = &m->modules[i];
	if (!exec)
		return 0;
	for (size_t i = 0; i < m->module_count; i++) {
		const struct modinit_module *d = m->modules[i].desc;

		if (&m->modules[i] == exec)
			continue;
		if ((d->flags & MODINIT_FLAG_LIVE) || m->modules[i].needs_live || d->on_spawn || d->on_signal || d->on_child_exit ||
		    d->on_orphan || d->on_main_exit || d->on_shutdown || d->on_exit) {
			snprintf(err, errlen,
				 "module \"%s\" needs a running init, but \"%s\" replaces modinit with the command",
				 d->name, exec->desc->name);
			return -EINVAL;
		}
	}
	return 0;
}

int setup_modules(struct modinit *m, const struct config *c, enum cfg_mode mode_id,
		  const struct cfg_module *list, size_t count, const struct loader_path *p,
		  char *err, size_t errlen)
{
	/* Every mode but wait is the module of its name. */
	struct cfg_module mode = { .name = mode_id == CFG_MODE_WAIT ? NULL : cfg_mode_name(mode_id) };
	size_t n = count + (mode.name ? 1 : 0), k = 0;
	int r;

	if (!n)
		return 0;
	m->modules = calloc(n, sizeof(*m->modules));
	if (!m->modules)
		return -ENOMEM;
	/* The mode's module comes first: it sees every event first. */
	if (mode.name) {
		m->module_count = 1;
		r = setup_one(m, c, p, k++, &mode, err, errlen);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < count; i++) {
		m->module_count = k + 1;
		r = setup_one(m, c, p, k++, &list[i], err, errlen);
		if (r < 0)
			return r;
	}
	return setup_check_exec(m, err, errlen);
}

void setup_release(struct modinit *m)
{
	for (size_t i = 0; i < m->module_count; i++)
		loader_release(&m->modules[i]);
	free(m->modules);
	m->modules = NULL;
	m->module_count = 0;
}

static int setup_is_so(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return n > 3 && strcmp(de->d_name + n - 3, ".so") == 0;
}

static void setup_list_one(const struct module *mod, const char *note)
{
	printf("%-20s %-8s %s (%s)%s\n", mod->desc->name, mod->desc->version ? mod->desc->version : "-",
	       mod->desc->description ? mod->desc->description : "", mod->file, note);
}

static void setup_list_dir(const char *dir, unsigned *found)
{
	struct dirent **names;
	int n = scandir(dir, &names, setup_is_so, alphasort);

	if (n < 0)
		return; /* a directory on the path need not exist */
	for (int i = 0; i < n; i++) {
		struct module mod = { 0 };
		char err[768];
		char *file;

		file = loader_join(dir, names[i]->d_name);
		if (file) {
			if (loader_open(&mod, file, err, sizeof(err)) == 0) {
				/* name: lookups find the built-in first */
				setup_list_one(&mod, loader_builtin(mod.desc->name)
					       ? " (not used by name: a module of this name is built in)" : "");
				(*found)++;
			} else {
				log_msg(LOGL_WARN, "%s", err);
			}
			loader_release(&mod);
		}
		free(names[i]);
	}
	free(names);
}

/* The built-in modules first: that is the lookup order. */
static void setup_list_builtins(unsigned *found)
{
	char err[768];

	for (size_t i = 0; builtin_modules[i]; i++) {
		struct module mod = { 0 };

		if (loader_open_builtin(&mod, builtin_modules[i], err, sizeof(err)) == 0) {
			setup_list_one(&mod, "");
			(*found)++;
		} else {
			log_msg(LOGL_WARN, "%s", err);
		}
		loader_release(&mod);
	}
}

int setup_list_modules(const struct loader_path *p)
{
	unsigned found = 0;

	setup_list_builtins(&found);
	if (!loader_dl_available) {
		log_msg(LOGL_INFO, "static modinit: only the built-in modules (loading .so modules "
			"needs the dynamic build)");
		return 0;
	}
	for (size_t i = 0; i < p->count; i++)
		setup_list_dir(p->dirs[i], &found);
	if (!found)
		log_msg(LOGL_INFO, "no module found on the search path");
	return 0;
}

static void setup_print_option(const struct modinit_module *d, const struct modinit_option *o)
{
	char type[256];

	loader_type_describe(d, o, type, sizeof(type));
	printf("  %s (%s%s", o->key, type, o->required ? ", required" : "");
	if (o->default_value)
		printf(", default: %s", o->default_value);
	printf(")\n      %s\n", o->help ? o->help : "");
}

int setup_describe_module(const struct loader_path *p, const char *name)
{
	struct module mod = { 0 };
	struct modinit_option o;
	char err[768];
	int r = loader_lookup(p, name, NULL, &mod, err, sizeof(err));

	if (r < 0) {
		log_msg(LOGL_ERROR, "%s", err);
		loader_release(&mod);
		return EXIT_CONFIG;
	}
	printf("%s %s: %s\nfile: %s\n", mod.desc->name, mod.desc->version ? mod.desc->version : "-",
	       mod.desc->description ? mod.desc->description : "", mod.file);
	printf("options:%s\n", loader_option_get(mod.desc, mod.desc->options, 0, &o) ? "" : " none");
	for (size_t i = 0; loader_option_get(mod.desc, mod.desc->options, i, &o); i++)
		setup_print_option(mod.desc, &o);
	loader_release(&mod);
	return 0;
}
