/*
 * confdata.c - reading and writing .config files, and savedefconfig.
 *
 * Who calls it: targets.c (every *config target starts or ends here),
 * kconfig.c (kconfig_config_read/write, kconfig_defconfig_write) and
 * kmin's search, which reads and writes configurations thousands of times
 * per run through the public API.
 *
 * What it must do: exactly what the kernel's scripts/kconfig/confdata.c
 * does, byte for byte and warning for warning, for the dialect of the
 * tree (kc->dialect: 6.1 or 6.12).  The reader accepts anything: lines of
 * any length, NUL bytes, CR LF endings, garbage; it warns with file:line
 * through kc_diag where conf would print "file:line:warning: ...".  The
 * writer walks the menu tree like conf_write(): a heading, one block per
 * visible menu or comment, "# end of" lines, and one line per symbol
 * that has SYMBOL_WRITE.
 *
 * Workload: a .config of ~5,000 lines, read and written in a few
 * milliseconds; the input is read whole into memory, so the same reader
 * serves files and in-memory text (tinyconfig's merged fragments).
 *
 * Unlike conf, nothing here is global: the warning count of the last read
 * lives in the context (kc->conf_warnings), the prefix "CONFIG_" comes from
 * the context's environment.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* ---- small helpers ---- */

const char *kc_conf_prefix(struct kconfig *kc)
{
	const char *p = kc_getenv(kc, "CONFIG_");

	return p ? p : "CONFIG_";
}

static bool kc_conf_is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/*
 * Read a whole file into a malloc'ed, NUL-terminated buffer.  Returns 0,
 * or -errno (the file is left unread).
 */
int kc_conf_slurp(const char *path, char **out, size_t *outlen)
{
	FILE *f = fopen(path, "re");
	size_t len = 0, cap = 8192;
	char *buf;

	*out = NULL;
	*outlen = 0;
	if (!f)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	for (;;) {
		size_t n = fread(buf + len, 1, cap - len - 1, f);

		len += n;
		if (n == 0)
			break;
		if (cap - len - 1 == 0) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		int err = errno ? -errno : -EIO;

		free(buf);
		fclose(f);
		return err;
	}
	fclose(f);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

/*
 * conf's zconf_fopen(): the name as given, else relative to srctree.
 * On success *buf holds the contents (caller frees).
 */
static int kc_conf_open(struct kconfig *kc, const char *name, char **buf, size_t *len)
{
	int rc = kc_conf_slurp(name, buf, len);

	if (rc && name[0] != '/' && kc->opts.srctree) {
		size_t n = strlen(kc->opts.srctree) + strlen(name) + 2;
		char *full = malloc(n);

		if (!full)
			return -ENOMEM;
		snprintf(full, n, "%s/%s", kc->opts.srctree, name);
		rc = kc_conf_slurp(full, buf, len);
		free(full);
	}
	return rc;
}

/* ---- reading ---- */

/* State of one read: conf's conf_filename, conf_lineno and friends. */
struct kc_conf_reader {
	struct kconfig *kc;
	const char *file;	/* name for messages, as the caller spelled it */
	int lineno;
	int def;		/* KC_DEF_USER, KC_DEF_AUTO... */
	unsigned int def_flags;	/* KC_SYMBOL_DEF << def */
	const char *prefix;	/* "CONFIG_" */
	size_t prefix_len;
	bool warn_unknown;	/* KCONFIG_WARN_UNKNOWN_SYMBOLS */
};

static void kc_conf_warn(struct kc_conf_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void kc_conf_warn(struct kc_conf_reader *r, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kc_diag(r->kc, KCONFIG_DIAG_WARNING, r->file, r->lineno, "%s", msg);
	r->kc->conf_warnings++;
}

/*
 * Undo the escaping of a quoted .config string in place: p points after
 * the opening quote.  Returns false when the closing quote is missing.
 */
static bool kc_conf_unescape(char *p)
{
	char *q;

	for (q = p; (q = strpbrk(q, "\"\\")); q++) {
		if (*q == '"') {
			*q = '\0';
			return true;
		}
		memmove(q, q + 1, strlen(q));
	}
	return false;
}

/* conf_set_sym_val(): returns 1 when the value was refused. */
static int kc_conf_set_sym_val(struct kc_conf_reader *r, struct kc_symbol *sym, char *p)
{
	struct kconfig *kc = r->kc;
	int def = r->def;

	switch (sym->type) {
	case KC_S_TRISTATE:
		if (p[0] == 'm') {
			sym->def[def].tri = KC_MOD;
			sym->flags |= r->def_flags;
			return 0;
		}
		/* fall through */
	case KC_S_BOOLEAN:
		if (p[0] == 'y' || p[0] == 'n') {
			sym->def[def].tri = p[0] == 'y' ? KC_YES : KC_NO;
			sym->flags |= r->def_flags;
			return 0;
		}
		if (def != KC_DEF_AUTO)
			kc_conf_warn(r, "symbol value '%s' invalid for %s", p, sym->name);
		return 1;
	case KC_S_STRING:
		/* auto.conf strings are not escaped */
		if (def != KC_DEF_AUTO) {
			if (*p++ != '"')
				return 0;
			if (!kc_conf_unescape(p)) {
				kc_conf_warn(r, "invalid string found");
				return 1;
			}
		}
		/* fall through */
	case KC_S_INT:
	case KC_S_HEX:
		if (!kc_sym_string_valid(sym, p)) {
			if (def != KC_DEF_AUTO)
				kc_conf_warn(r, "symbol value '%s' invalid for %s", p, sym->name);
			return 1;
		}
		sym->def[def].val = kc_arena_strdup(&kc->arena, p);
		if (!sym->def[def].val)
			return 1;
		sym->flags |= r->def_flags;
		return 0;
	default:
		return 0;
	}
}

/* 6.1: a choice member's value moves its choice's state. */
static void kc_conf_update_choice(struct kc_conf_reader *r, struct kc_symbol *sym)
{
	struct kc_symbol *cs = kc_prop_get_symbol(kc_sym_get_choice_prop(sym));
	int def = r->def;

	if (!cs)
		return;
	switch (sym->def[def].tri) {
	case KC_NO:
		break;
	case KC_MOD:
		if (cs->def[def].tri == KC_YES) {
			kc_conf_warn(r, "%s creates inconsistent choice state", sym->name);
			cs->flags &= ~r->def_flags;
		}
		break;
	case KC_YES:
		if (cs->def[def].tri != KC_NO)
			kc_conf_warn(r, "override: %s changes choice state", sym->name);
		cs->def[def].val = (const char *)sym;
		break;
	}
	cs->def[def].tri = KC_EXPR_OR(cs->def[def].tri, sym->def[def].tri);
}

/* Forget every value of slot def, as conf_read_simple does before reading. */
static void kc_conf_clear_def(struct kconfig *kc, int def)
{
	unsigned int def_flags = KC_SYMBOL_DEF << def;
	struct kc_symbol *sym;
	int i;

	kc_for_all_symbols(kc, i, sym) {
		if (kc->dialect == KC_DIALECT_6_1) {
			sym->flags |= KC_SYMBOL_CHANGED;
			sym->flags &= ~(def_flags | KC_SYMBOL_VALID);
			if (kc_sym_is_choice(sym))
				sym->flags |= def_flags;
		} else {
			sym->flags &= ~def_flags;
		}
		sym->def[def].val = NULL;
		sym->def[def].tri = KC_NO;
	}
	if (kc->dialect != KC_DIALECT_6_1 && def == KC_DEF_USER) {
		kc_for_all_symbols(kc, i, sym)
			sym->flags &= ~KC_SYMBOL_VALID;
		kc_expr_invalidate_all(kc);
	}
}

/*
 * Split one line into a symbol name and a value, the 6.1 way: the line
 * still ends with its '\n' (if it has one).  Returns false for lines that
 * carry no assignment.
 */
static bool kc_conf_split_61(struct kc_conf_reader *r, char *line, char **name, char **val)
{
	char *p;

	if (line[0] == '#') {
		if (line[1] != ' ')
			return false;
		p = line + 2;
		if (strncmp(p, r->prefix, r->prefix_len))
			return false;
		*name = p + r->prefix_len;
		p = strchr(*name, ' ');
		if (!p)
			return false;
		*p++ = '\0';
		if (strncmp(p, "is not set", 10))
			return false;
		*val = "n";
		return true;
	}
	if (!strncmp(line, r->prefix, r->prefix_len)) {
		*name = line + r->prefix_len;
		p = strchr(*name, '=');
		if (!p)
			return false;
		*p++ = '\0';
		*val = p;
		p = strchr(p, '\n');
		if (p) {
			*p-- = '\0';
			/* p may be the '=' we cut: then it is already '\0' */
			if (*p == '\r')
				*p = '\0';
		}
		return true;
	}
	if (line[0] != '\r' && line[0] != '\n')
		kc_conf_warn(r, "unexpected data: %.*s", (int)strcspn(line, "\r\n"), line);
	return false;
}

/* The same for 6.11+: the line lost its '\n' and one '\r' before it. */
static bool kc_conf_split_612(struct kc_conf_reader *r, char *line, char **name, char **val)
{
	char *p;

	if (!line[0])
		return false;
	if (line[0] == '#') {
		if (line[1] != ' ')
			return false;
		p = line + 2;
		if (strncmp(p, r->prefix, r->prefix_len))
			return false;
		*name = p + r->prefix_len;
		p = strchr(*name, ' ');
		if (!p)
			return false;
		*p++ = '\0';
		if (strcmp(p, "is not set"))
			return false;
		*val = "n";
		return true;
	}
	if (strncmp(line, r->prefix, r->prefix_len)) {
		kc_conf_warn(r, "unexpected data: %s", line);
		return false;
	}
	*name = line + r->prefix_len;
	p = strchr(*name, '=');
	if (!p) {
		kc_conf_warn(r, "unexpected data: %s", line);
		return false;
	}
	*p = '\0';
	*val = p + 1;
	return true;
}

/* One assignment: find the symbol, set its value, keep choices coherent. */
static void kc_conf_assign(struct kc_conf_reader *r, const char *name, char *val)
{
	struct kconfig *kc = r->kc;
	struct kc_symbol *sym = kc_sym_find(kc, name);

	if (!sym) {
		/* auto.conf: conf touches include/config/NAME; we keep no such files */
		if (r->def != KC_DEF_AUTO) {
			if (r->warn_unknown)
				kc_conf_warn(r, "unknown symbol: %s", name);
			kc->conf_changed = true;
		}
		return;
	}
	if (sym->flags & r->def_flags)
		kc_conf_warn(r, "override: reassigning to symbol %s", sym->name);
	if (kc_conf_set_sym_val(r, sym, val))
		return;
	if (kc->dialect == KC_DIALECT_6_1) {
		if (kc_sym_is_choice_value(sym))
			kc_conf_update_choice(r, sym);
	} else if (r->def == KC_DEF_USER) {
		struct kc_menu *choice = kc_sym_get_choice_menu(kc, sym);

		if (choice)
			kc_choice_prioritize(choice, sym);
	}
}

/*
 * The body of conf_read_simple() on text already in memory (buf[len] must
 * be '\0'; the buffer is not modified).
 */
int kc_conf_read_buffer(struct kconfig *kc, const char *name, const char *buf, size_t len,
			int def)
{
	struct kc_conf_reader r = { 0 };
	size_t pos = 0, cap = 256;
	char *line = malloc(cap);

	if (!line)
		return kc_error(kc, KCONFIG_ENOMEM, "out of memory");
	r.kc = kc;
	r.file = name;
	r.def = def;
	r.def_flags = KC_SYMBOL_DEF << def;
	r.prefix = kc_conf_prefix(kc);
	r.prefix_len = strlen(r.prefix);
	r.warn_unknown = kc_getenv(kc, "KCONFIG_WARN_UNKNOWN_SYMBOLS") != NULL;
	kc->conf_warnings = 0;

	kc_conf_clear_def(kc, def);

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) + 1 : len - pos;
		char *name_, *val;
		bool ok;

		if (n + 1 > cap) {
			char *nline;

			while (n + 1 > cap)
				cap *= 2;
			nline = realloc(line, cap);
			if (!nline) {
				free(line);
				return kc_error(kc, KCONFIG_ENOMEM, "out of memory");
			}
			line = nline;
		}
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		pos += n;
		r.lineno++;

		if (kc->dialect == KC_DIALECT_6_1) {
			ok = kc_conf_split_61(&r, line, &name_, &val);
		} else {
			size_t l = n;

			if (l && line[l - 1] == '\n') {
				line[--l] = '\0';
				if (l && line[l - 1] == '\r')
					line[--l] = '\0';
			}
			ok = kc_conf_split_612(&r, line, &name_, &val);
		}
		if (ok)
			kc_conf_assign(&r, name_, val);
	}
	free(line);
	return 0;
}

int kc_conf_read_simple(struct kconfig *kc, const char *path, int def)
{
	char *buf;
	size_t len;
	int rc = kc_conf_open(kc, path, &buf, &len);

	if (rc == -ENOMEM)
		return kc_error(kc, KCONFIG_ENOMEM, "out of memory");
	if (rc)
		return kc_error(kc, KCONFIG_ENOENT, "cannot read '%s': %s", path, strerror(-rc));
	rc = kc_conf_read_buffer(kc, path, buf, len, def);
	free(buf);
	return rc;
}

/*
 * conf_read_simple(NULL, ...) without a .config: the first readable file
 * of KCONFIG_DEFCONFIG_LIST.  Returns KCONFIG_ENOENT if there is none.
 */
static int kc_conf_read_defconfig_list(struct kconfig *kc)
{
	const char *env = kc_getenv(kc, "KCONFIG_DEFCONFIG_LIST");
	char name[4096];

	kc->conf_changed = true;
	while (env && *env) {
		size_t n;

		while (*env == ' ' || (*env >= '\t' && *env <= '\r'))
			env++;
		n = strcspn(env, " \t\n\v\f\r");
		if (!n)
			break;
		if (n < sizeof(name)) {
			char *buf;
			size_t len;

			memcpy(name, env, n);
			name[n] = '\0';
			if (!kc_conf_open(kc, name, &buf, &len)) {
				int rc;

				kc_diag(kc, KCONFIG_DIAG_INFO, NULL, 0,
					"using defaults found in %s", name);
				rc = kc_conf_read_buffer(kc, name, buf, len, KC_DEF_USER);
				free(buf);
				return rc;
			}
		}
		env += n;
	}
	return kc_error(kc, KCONFIG_ENOENT, "no configuration to read");
}

/* 6.1: count values that disagree with the saved ones (conf_unsaved). */
static int kc_conf_count_unsaved(struct kconfig *kc)
{
	struct kc_symbol *sym;
	int i, unsaved = 0;

	kc_for_all_symbols(kc, i, sym) {
		bool has;

		kc_sym_calc_value(kc, sym);
		if (kc_sym_is_choice(sym) ||
		    (kc->dialect == KC_DIALECT_6_1 && (sym->flags & KC_SYMBOL_NO_WRITE)))
			continue;
		has = kc_sym_has_value(sym);
		if (has && (sym->flags & KC_SYMBOL_WRITE)) {
			switch (sym->type) {
			case KC_S_BOOLEAN:
			case KC_S_TRISTATE:
				if (sym->def[KC_DEF_USER].tri == kc_sym_get_tristate_value(sym))
					continue;
				break;
			default:
				if (sym->curr.val && sym->def[KC_DEF_USER].val &&
				    !strcmp(sym->curr.val, sym->def[KC_DEF_USER].val))
					continue;
				break;
			}
		} else if (!has && !(sym->flags & KC_SYMBOL_WRITE)) {
			continue;
		}
		unsaved++;
	}
	return unsaved;
}

/* 6.1: forget invisible user values and out-of-range numbers. */
static int kc_conf_reset_stale(struct kconfig *kc, int unsaved)
{
	struct kc_symbol *sym;
	int i;

	kc_for_all_symbols(kc, i, sym) {
		if (!kc_sym_has_value(sym) || kc_sym_is_choice_value(sym))
			continue;
		if (sym->visible == KC_NO && !unsaved)
			sym->flags &= ~KC_SYMBOL_DEF_USER;
		switch (sym->type) {
		case KC_S_STRING:
		case KC_S_INT:
		case KC_S_HEX:
			if (kc_sym_string_within_range(kc, sym, sym->def[KC_DEF_USER].val))
				break;
			sym->flags &= ~(KC_SYMBOL_VALID | KC_SYMBOL_DEF_USER);
			unsaved++;
			break;
		default:
			break;
		}
	}
	return unsaved;
}

int kc_conf_read(struct kconfig *kc, const char *path)
{
	int rc;

	kc->conf_changed = false;
	if (path) {
		rc = kc_conf_read_simple(kc, path, KC_DEF_USER);
	} else {
		rc = kc_conf_read_simple(kc, ".config", KC_DEF_USER);
		if (rc == KCONFIG_ENOENT)
			rc = kc_conf_read_defconfig_list(kc);
	}
	kc_sym_calc_value(kc, kc->modules_sym);
	if (rc)
		return rc;
	return kc_conf_after_read(kc);
}

/* conf_read()'s pass over the values just read. */
int kc_conf_after_read(struct kconfig *kc)
{
	int unsaved;

	kc_sym_calc_value(kc, kc->modules_sym);
	unsaved = kc_conf_count_unsaved(kc);
	if (kc->dialect == KC_DIALECT_6_1)
		unsaved = kc_conf_reset_stale(kc, unsaved);
	if (kc->conf_warnings || unsaved)
		kc->conf_changed = true;
	return 0;
}

/* ---- writing ---- */

/* Append s to out as a quoted .config string, escaping '"' and '\\'. */
static void kc_conf_put_escaped(FILE *out, const char *s)
{
	putc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putc('\\', out);
		putc(*s, out);
	}
	putc('"', out);
}

/* print_symbol_for_dotconfig(). */
static void kc_conf_print_symbol(struct kconfig *kc, FILE *out, struct kc_symbol *sym,
				 const char *prefix)
{
	const char *val;

	if (sym->type == KC_S_UNKNOWN)
		return;
	val = kc_sym_get_string_value(kc, sym);
	if ((sym->type == KC_S_BOOLEAN || sym->type == KC_S_TRISTATE) && *val == 'n') {
		fprintf(out, "# %s%s is not set\n", prefix, sym->name);
		return;
	}
	fprintf(out, "%s%s=", prefix, sym->name);
	if (sym->type == KC_S_STRING)
		kc_conf_put_escaped(out, val);
	else
		fputs(val, out);
	putc('\n', out);
}

static void kc_conf_write_heading(struct kconfig *kc, FILE *out)
{
	const char *title = kc->rootmenu.prompt && kc->rootmenu.prompt->text
			    ? kc->rootmenu.prompt->text : "Main menu";

	fprintf(out, "#\n# Automatically generated file; DO NOT EDIT.\n# %s\n#\n", title);
}

static bool kc_conf_is_menu_block(struct kconfig *kc, struct kc_menu *menu)
{
	return !menu->sym && kc_menu_is_visible(kc, menu) && menu != &kc->rootmenu &&
	       menu->prompt->type == KC_P_MENU;
}

/* The body of conf_write(): the whole configuration as text. */
int kc_conf_write_fp(struct kconfig *kc, FILE *out)
{
	const char *prefix = kc_conf_prefix(kc);
	bool need_newline = false;
	struct kc_menu *menu;
	struct kc_symbol *sym;
	int i;

	kc_conf_write_heading(kc, out);
	if (!kc->conf_changed)
		kc_sym_clear_all_valid(kc);

	menu = kc->rootmenu.list;
	while (menu) {
		sym = menu->sym;
		if (!sym) {
			if (kc_menu_is_visible(kc, menu)) {
				fprintf(out, "\n#\n# %s\n#\n", kc_menu_get_prompt(menu));
				need_newline = false;
			}
		} else if (!kc_sym_is_choice(sym) && !(sym->flags & KC_SYMBOL_WRITTEN)) {
			kc_sym_calc_value(kc, sym);
			if (sym->flags & KC_SYMBOL_WRITE) {
				if (need_newline) {
					putc('\n', out);
					need_newline = false;
				}
				sym->flags |= KC_SYMBOL_WRITTEN;
				kc_conf_print_symbol(kc, out, sym, prefix);
			}
		}
		if (menu->list) {
			menu = menu->list;
			continue;
		}
		for (;;) {
			if (kc_conf_is_menu_block(kc, menu)) {
				fprintf(out, "# end of %s\n", kc_menu_get_prompt(menu));
				need_newline = true;
			}
			if (menu->next) {
				menu = menu->next;
				break;
			}
			menu = menu->parent;
			if (!menu)
				break;
		}
	}

	kc_for_all_symbols(kc, i, sym)
		sym->flags &= ~KC_SYMBOL_WRITTEN;
	return 0;
}

/* Create the directories above path, like conf's make_parent_dir(). */
static int kc_conf_make_parent_dir(const char *path)
{
	char *tmp = strdup(path), *p;

	if (!tmp)
		return -1;
	p = strrchr(tmp, '/');
	if (!p) {
		free(tmp);
		return 0;
	}
	p[1] = '\0';
	for (p = tmp; *p == '/'; p++)
		;
	while ((p = strchr(p, '/'))) {
		*p = '\0';
		if (!kc_conf_is_dir(tmp) && mkdir(tmp, 0755)) {
			free(tmp);
			return -1;
		}
		*p = '/';
		while (*p == '/')
			p++;
	}
	free(tmp);
	return 0;
}

/* True if both files hold the same bytes. */
static bool kc_conf_same_file(const char *a, const char *b)
{
	char *ba, *bb;
	size_t la, lb;
	bool same = false;

	if (kc_conf_slurp(a, &ba, &la))
		return false;
	if (!kc_conf_slurp(b, &bb, &lb)) {
		same = la == lb && !memcmp(ba, bb, la);
		free(bb);
	}
	free(ba);
	return same;
}

/*
 * Write with fill() into a temporary file next to path, then rename it
 * over path (keeping the old one as path.old), as conf does.
 */
static int kc_conf_write_file(struct kconfig *kc, const char *path,
			      int (*fill)(struct kconfig *, FILE *), bool replace)
{
	const char *env = kc_getenv(kc, "KCONFIG_OVERWRITECONFIG");
	bool direct = !replace || (env && *env);
	char *tmp = NULL, *old = NULL;
	FILE *out;
	int rc, err;

	if (!path || !*path)
		return kc_error(kc, KCONFIG_EINVAL, "config name is empty");
	if (kc_conf_is_dir(path))
		return kc_error(kc, KCONFIG_EIO, "%s: Is a directory", path);
	if (replace && kc_conf_make_parent_dir(path))
		return kc_error(kc, KCONFIG_EIO, "cannot create the directory of '%s': %s",
				path, strerror(errno));
	if (!direct) {
		size_t n = strlen(path) + 32;

		tmp = malloc(n);
		old = malloc(n);
		if (!tmp || !old) {
			free(tmp);
			free(old);
			return kc_error(kc, KCONFIG_ENOMEM, "out of memory");
		}
		snprintf(tmp, n, "%s.%d.tmp", path, (int)getpid());
		snprintf(old, n, "%s.old", path);
	}
	out = fopen(direct ? path : tmp, "we");
	if (!out) {
		rc = kc_error(kc, KCONFIG_EIO, "cannot write '%s': %s", direct ? path : tmp,
			      strerror(errno));
		goto done;
	}
	rc = fill(kc, out);
	err = ferror(out);
	if (fclose(out) || err) {
		if (!rc)
			rc = kc_error(kc, KCONFIG_EIO, "cannot write '%s': %s",
				      direct ? path : tmp, strerror(errno ? errno : EIO));
	}
	if (rc) {
		if (!direct)
			unlink(tmp);
		goto done;
	}
	if (!direct) {
		if (kc_conf_same_file(path, tmp)) {
			unlink(tmp);
			goto done;
		}
		rename(path, old);
		if (rename(tmp, path)) {
			rc = kc_error(kc, KCONFIG_EIO, "cannot rename '%s' to '%s': %s", tmp, path,
				      strerror(errno));
			unlink(tmp);
		}
	}
done:
	free(tmp);
	free(old);
	return rc;
}

int kc_conf_write(struct kconfig *kc, const char *path)
{
	int rc = kc_conf_write_file(kc, path, kc_conf_write_fp, true);

	if (!rc)
		kc->conf_changed = false;
	return rc;
}

/* ---- savedefconfig ---- */

/*
 * sym_get_string_default(), with 6.12's last step made sure of: there an
 * int or hex symbol without a default value defaults to "0" or "0x0"
 * (6.1 says "", so savedefconfig keeps CONFIG_X=0x0 lines).
 */
static const char *kc_conf_string_default(struct kconfig *kc, struct kc_symbol *sym)
{
	const char *str = kc_sym_get_string_default(kc, sym);

	if (!str)
		str = "";
	if (kc->dialect == KC_DIALECT_6_1)
		return str;
	if (!str[0] && sym->type == KC_S_INT)
		return "0";
	if (!str[0] && sym->type == KC_S_HEX)
		return "0x0";
	return str;
}

/* Whether savedefconfig leaves a choice member out as its choice's default. */
static bool kc_conf_is_default_choice_member(struct kconfig *kc, struct kc_symbol *sym)
{
	if (kc->dialect == KC_DIALECT_6_1) {
		struct kc_symbol *cs;

		if (!kc_sym_is_choice_value(sym))
			return false;
		cs = kc_prop_get_symbol(kc_sym_get_choice_prop(sym));
		return cs && !kc_sym_is_optional(cs) && sym == kc_sym_choice_default(kc, cs) &&
		       sym->type == KC_S_BOOLEAN && kc_sym_get_tristate_value(sym) == KC_YES;
	}
	struct kc_menu *choice = kc_sym_get_choice_menu(kc, sym);

	return choice && sym == kc_sym_choice_menu_default(kc, choice) &&
	       kc_sym_get_tristate_value(sym) == KC_YES;
}

static int kc_conf_write_defconfig_fp(struct kconfig *kc, FILE *out)
{
	const char *prefix = kc_conf_prefix(kc);
	struct kc_menu *menu;

	kc_sym_clear_all_valid(kc);
	for (menu = kc_menu_next(&kc->rootmenu, &kc->rootmenu); menu;
	     menu = kc_menu_next(menu, &kc->rootmenu)) {
		struct kc_symbol *sym = menu->sym;

		/* 6.1 asks (and so computes) the visibility of plain menus too */
		if (!sym && kc->dialect == KC_DIALECT_6_1)
			kc_menu_is_visible(kc, menu);
		if (!sym || kc_sym_is_choice(sym))
			continue;
		kc_sym_calc_value(kc, sym);
		if (!(sym->flags & KC_SYMBOL_WRITE))
			continue;
		sym->flags &= ~KC_SYMBOL_WRITE;
		if (!kc_sym_is_changeable(sym))
			continue;
		if (!strcmp(kc_sym_get_string_value(kc, sym), kc_conf_string_default(kc, sym)))
			continue;
		if (kc_conf_is_default_choice_member(kc, sym))
			continue;
		kc_conf_print_symbol(kc, out, sym, prefix);
	}
	return 0;
}

int kc_conf_write_defconfig(struct kconfig *kc, const char *path)
{
	return kc_conf_write_file(kc, path, kc_conf_write_defconfig_fp, false);
}

/* ---- a fresh start ---- */

/*
 * Bring every symbol back to the state right after parsing, as if conf
 * had just started: no user or auto values, nothing computed.  The
 * targets that do not read a .config start here.
 */
void kc_conf_reset(struct kconfig *kc)
{
	const unsigned int transient = KC_SYMBOL_VALID | KC_SYMBOL_WRITE | KC_SYMBOL_CHANGED |
				       KC_SYMBOL_WRITTEN | KC_SYMBOL_DEF_USER |
				       KC_SYMBOL_DEF_AUTO | KC_SYMBOL_DEF3 | KC_SYMBOL_DEF4 |
				       KC_SYMBOL_NEED_SET_CHOICE_VALUES;
	struct kc_symbol *sym;
	int i;

	kc_for_all_symbols(kc, i, sym) {
		sym->flags &= ~transient;
		memset(&sym->def, 0, sizeof(sym->def));
		memset(&sym->curr, 0, sizeof(sym->curr));
		sym->visible = KC_NO;
	}
	kc_restore_choices(kc);
	if (kc->dialect != KC_DIALECT_6_1)
		kc_expr_invalidate_all(kc);
	kc->conf_changed = true;
	kc->conf_warnings = 0;
}
