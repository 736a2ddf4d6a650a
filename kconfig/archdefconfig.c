/*
 * archdefconfig.c - what plain `make defconfig` starts from.
 *
 * Who calls it: kmin's `config defconfig` (through
 * kconfig_default_defconfig()).  It is make's part of the target, not
 * conf's: scripts/kconfig/Makefile runs
 *
 *   conf --defconfig=arch/$(SRCARCH)/configs/$(KBUILD_DEFCONFIG)
 *
 * when that file exists, and otherwise `make $(KBUILD_DEFCONFIG)`, a
 * target of that name (a NAME_defconfig of another directory, a merge
 * target of the arch Makefile...).  KBUILD_DEFCONFIG is "defconfig" unless
 * the arch Makefile sets it (then an environment value is overridden) or
 * the environment does.  Most arch Makefiles set it to one constant name;
 * five choose by ARCH, SUBARCH or `uname -m`, written out here from
 * their text in 6.1 and 6.12:
 *
 *   x86      ARCH=x86: the host's machine (x86_64_defconfig or
 *            i386_defconfig; another machine gets i386 in 6.1 and x86_64
 *            in 6.12, told apart by 6.12's `sed -e 's/i.86/i386/'`);
 *            ARCH=x86_64 / i386: $(ARCH)_defconfig
 *   um       SUBARCH=x86: as ARCH=x86 of 6.1; else $(SUBARCH)_defconfig
 *   sparc    ARCH=sparc64: sparc64_defconfig, else sparc32_defconfig
 *   parisc   ARCH=parisc64: generic-64bit_defconfig, else generic-32bit_defconfig
 *   powerpc  a ppc* host: $(uname -m)_defconfig, else the Makefile's
 *            fallback (ppc64 in 6.1, ppc64le in 6.12)
 *
 * An arch Makefile whose assignments are not one of these shapes is an
 * error rather than a guess.
 *
 * The same Makefile may also have an explicit rule for a NAME_defconfig
 * (kconfig_arch_rule()): make includes it for config targets, and an
 * explicit rule wins over scripts/kconfig's %_defconfig pattern, even when
 * arch/SRCARCH/configs/NAME_defconfig exists.  Two recipes are read, the
 * ones of 6.1 and 6.12: riscv's `$(MAKE) -f $(srctree)/Makefile defconfig
 * 32-bit.config` (targets run one by one on one .config) and powerpc's
 * `$(call merge_into_defconfig,BASE,FRAGMENTS)`, after the prerequisites
 * (target names; a phony target may have only those: 6.12's
 * `pseries_defconfig: ppc64le_guest_defconfig`).  Any other rule for the
 * name (shell commands, a recipe-less target that is not phony, mips'
 * generic_defconfig that fails on purpose) is an error naming its line,
 * never a different config.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "internal.h"

/* The arch Makefile's text, malloc'ed; NULL when it cannot be read. */
static char *kc_archdef_makefile(struct kconfig *kc, const char *srcarch)
{
	char *path = NULL, *text = NULL;
	size_t len;

	if (asprintf(&path, "%s/arch/%s/Makefile", kc->opts.srctree, srcarch) < 0)
		return NULL;
	if (kc_conf_slurp(path, &text, &len))
		text = NULL;
	free(path);
	return text;
}

/*
 * The value of the one plain "KBUILD_DEFCONFIG := VALUE" line (also = and
 * ?=) of text, into buf.  Returns the number of assignments found; the
 * value is copied only when there is exactly one.
 */
static int kc_archdef_assignment(const char *text, char *buf, size_t len)
{
	static const char var[] = "KBUILD_DEFCONFIG";
	int count = 0;

	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		const char *p = line + strspn(line, " \t");

		line = eol ? eol + 1 : NULL;
		if (strncmp(p, var, sizeof(var) - 1))
			continue;
		p += sizeof(var) - 1;
		p += strspn(p, " \t");
		if (*p == ':' || *p == '?')
			p++;
		if (*p != '=')
			continue;
		p++;
		p += strspn(p, " \t");
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		const char *hash = memchr(p, '#', n);

		if (hash)
			n = (size_t)(hash - p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
			n--;
		if (!count++)
			snprintf(buf, len, "%.*s", (int)n, p);
	}
	return count;
}

static void kc_archdef_machine(char *buf, size_t len)
{
	struct utsname u;

	snprintf(buf, len, "%s", uname(&u) ? "" : u.machine);
}

/* i386, i486 ... i686: what 6.12's `sed -e 's/i.86/i386/'` turns into i386 */
static bool kc_archdef_is_ix86(const char *m)
{
	return m[0] == 'i' && m[1] && m[2] == '8' && m[3] == '6';
}

/* The name for the five arches that choose; false for any other. */
static bool kc_archdef_special(struct kconfig *kc, const char *srcarch, const char *text,
			       char *buf, size_t len)
{
	const char *arch = kc_getenv(kc, "ARCH");
	char m[128];

	if (!arch)
		arch = srcarch;
	kc_archdef_machine(m, sizeof(m));
	if (!strcmp(srcarch, "x86")) {
		if (strcmp(arch, "x86"))
			snprintf(buf, len, "%s_defconfig", arch);
		else if (strstr(text, "i.86"))	/* 6.12: i?86 is i386, the rest x86_64 */
			snprintf(buf, len, "%s", kc_archdef_is_ix86(m) ? "i386_defconfig"
								: "x86_64_defconfig");
		else
			snprintf(buf, len, "%s", !strcmp(m, "x86_64") ? "x86_64_defconfig"
								: "i386_defconfig");
		return true;
	}
	if (!strcmp(srcarch, "um")) {
		const char *sub = kc_getenv(kc, "SUBARCH");

		if (!sub)
			sub = "";
		if (!strcmp(sub, "x86"))
			snprintf(buf, len, "%s", !strcmp(m, "x86_64") ? "x86_64_defconfig"
								: "i386_defconfig");
		else
			snprintf(buf, len, "%s_defconfig", sub);
		return true;
	}
	if (!strcmp(srcarch, "sparc")) {
		snprintf(buf, len, "%s", !strcmp(arch, "sparc64") ? "sparc64_defconfig"
								 : "sparc32_defconfig");
		return true;
	}
	if (!strcmp(srcarch, "parisc")) {
		snprintf(buf, len, "%s", !strcmp(arch, "parisc64") ? "generic-64bit_defconfig"
								  : "generic-32bit_defconfig");
		return true;
	}
	if (!strcmp(srcarch, "powerpc")) {
		/* $(if $(filter ppc%,$(uname)),$(uname),FALLBACK)_defconfig */
		static const char mark[] = "$(uname),";
		const char *f = strstr(text, mark);
		const char *e = f ? strstr(f + sizeof(mark) - 1, ")_defconfig") : NULL;

		if (!strncmp(m, "ppc", 3))
			snprintf(buf, len, "%s_defconfig", m);
		else if (e && e - f < 64)
			snprintf(buf, len, "%.*s_defconfig", (int)(e - f - (sizeof(mark) - 1)),
				 f + sizeof(mark) - 1);
		else
			snprintf(buf, len, "ppc64_defconfig");
		return true;
	}
	return false;
}

int kc_default_defconfig(struct kconfig *kc, char *name, size_t namelen, char *path,
			 size_t pathlen)
{
	const char *srcarch = kc_getenv(kc, "SRCARCH");
	char *text, *abs = NULL;
	int n;

	name[0] = path[0] = '\0';
	if (!srcarch || !*srcarch)
		return kc_error(kc, KCONFIG_EINVAL, "defconfig needs SRCARCH in the environment");
	text = kc_archdef_makefile(kc, srcarch);
	if (!text)
		return kc_error(kc, KCONFIG_ENOENT, "cannot read arch/%s/Makefile", srcarch);
	if (!kc_archdef_special(kc, srcarch, text, name, namelen)) {
		n = kc_archdef_assignment(text, name, namelen);
		if (n == 0) {
			const char *env = kc_getenv(kc, "KBUILD_DEFCONFIG");

			snprintf(name, namelen, "%s", env && *env ? env : "defconfig");
		} else if (n > 1 || strchr(name, '$') || !name[0]) {
			free(text);
			return kc_error(kc, KCONFIG_EINVAL,
					"cannot tell KBUILD_DEFCONFIG from arch/%s/Makefile", srcarch);
		}
	}
	free(text);
	if (asprintf(&abs, "%s/arch/%s/configs/%s", kc->opts.srctree, srcarch, name) < 0)
		return kc_error(kc, KCONFIG_ENOMEM, "out of memory");
	/* make's $(wildcard ...): the name exists (a directory would count too) */
	if (!access(abs, F_OK))
		snprintf(path, pathlen, "arch/%s/configs/%s", srcarch, name);
	free(abs);
	return 0;
}

/* ---- explicit rules of the arch Makefile ---- */

/*
 * make's logical lines: a backslash-newline and the blanks around it are
 * one space.  Returns the next logical line of *pos as a malloc'ed string
 * (NULL at the end or out of memory: *oom tells), its first physical line
 * number in *lineno; *pos and *next_line advance past it.
 */
static char *kc_rule_logical_line(const char **pos, int *next_line, int *lineno, bool *oom)
{
	const char *s = *pos;
	size_t cap = 128, len = 0;
	char *out;

	if (!*s)
		return NULL;
	out = malloc(cap);
	if (!out) {
		*oom = true;
		return NULL;
	}
	*lineno = *next_line;
	for (;;) {
		const char *eol = strchr(s, '\n');
		size_t n = eol ? (size_t)(eol - s) : strlen(s);
		bool cont = n && s[n - 1] == '\\';

		if (cont)
			n--;
		if (len + n + 2 > cap) {
			char *p;

			while (len + n + 2 > cap)
				cap *= 2;
			p = realloc(out, cap);
			if (!p) {
				free(out);
				*oom = true;
				return NULL;
			}
			out = p;
		}
		memcpy(out + len, s, n);
		len += n;
		s = eol ? eol + 1 : s + n + (cont ? 1 : 0);
		(*next_line)++;
		if (!cont || !eol)
			break;
		while (len && (out[len - 1] == ' ' || out[len - 1] == '\t'))
			len--;
		out[len++] = ' ';
		s += strspn(s, " \t");
	}
	out[len] = '\0';
	*pos = s;
	return out;
}

/* True when line is a rule line ("targets: prerequisites") naming name; *colon gets the ':'. */
static bool kc_rule_names(const char *line, const char *name, const char **colon)
{
	size_t nlen = strlen(name);
	const char *c = line;

	if (*line == '\t' || *line == '#')
		return false;
	for (; *c && *c != ':' && *c != '=' && *c != '#'; c++)
		;
	/* "x := y", "x ::= y" are assignments, "a:b" inside $(...) is rare */
	if (*c != ':' || c[1] == '=' || (c[1] == ':' && c[2] == '='))
		return false;
	for (const char *w = line; w < c;) {
		size_t n;

		w += strspn(w, " \t");
		n = strcspn(w, " \t:");
		if (w + n > c)
			n = (size_t)(c - w);
		if (n == nlen && !memcmp(w, name, n)) {
			*colon = c;
			return true;
		}
		w += n ? n : 1;
	}
	return false;
}

void kconfig_arch_rule_free(struct kconfig_arch_rule *rule)
{
	if (!rule)
		return;
	for (size_t i = 0; i < rule->nsteps; i++) {
		struct kconfig_arch_step *st = &rule->steps[i];

		free((char *)st->target);
		free((char *)st->base);
		for (size_t j = 0; st->fragments && st->fragments[j]; j++)
			free((char *)st->fragments[j]);
		free((void *)st->fragments);
	}
	free(rule->steps);
	free(rule);
}

static struct kconfig_arch_step *kc_rule_add_step(struct kconfig_arch_rule *rule)
{
	struct kconfig_arch_step *p = realloc(rule->steps, (rule->nsteps + 1) * sizeof(*p));

	if (!p)
		return NULL;
	rule->steps = p;
	memset(&p[rule->nsteps], 0, sizeof(*p));
	return &p[rule->nsteps++];
}

/* A word make passes on as it is: no variable, no assignment, no option. */
static bool kc_rule_plain_word(const char *w, size_t n)
{
	return n && w[0] != '-' && !memchr(w, '$', n) && !memchr(w, '=', n) &&
	       !memchr(w, '(', n) && !memchr(w, '\'', n) && !memchr(w, '"', n) &&
	       !memchr(w, ';', n) && !memchr(w, '|', n) && !memchr(w, '&', n);
}

/* `$(MAKE) -f $(srctree)/Makefile T1 T2 ...`: a step per target; -1 not that form, -2 OOM. */
static int kc_rule_make(struct kconfig_arch_rule *rule, const char *p)
{
	static const char head[] = "$(MAKE) -f $(srctree)/Makefile";
	size_t before = rule->nsteps;

	if (strncmp(p, head, sizeof(head) - 1) || (p[sizeof(head) - 1] != ' ' &&
						   p[sizeof(head) - 1] != '\t'))
		return -1;
	p += sizeof(head) - 1;
	for (;;) {
		size_t n;
		struct kconfig_arch_step *st;

		p += strspn(p, " \t");
		if (!*p)
			break;
		n = strcspn(p, " \t");
		if (!kc_rule_plain_word(p, n))
			return -1;
		st = kc_rule_add_step(rule);
		if (!st || !(st->target = strndup(p, n)))
			return -2;
		p += n;
	}
	return rule->nsteps > before ? 0 : -1;
}

/* An argument of $(call ...), blanks trimmed, into a malloc'ed string. */
static char *kc_rule_arg(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strndup(s, n);
}

/*
 * `$(call merge_into_defconfig,BASE,F1 F2...)` (powerpc; 6.12's
 * scripts/Makefile.defconf): merge_config.sh -m of arch/SRCARCH/configs/BASE
 * with arch/SRCARCH/configs/Fi.config, then olddefconfig.  -1 not that
 * form, -2 out of memory.
 */
static int kc_rule_merge(struct kconfig_arch_rule *rule, const char *srcarch, const char *p)
{
	static const char head[] = "$(call merge_into_defconfig,";
	const char *comma, *close, *f;
	char *base, *frags;
	struct kconfig_arch_step *st;
	size_t n = 0;
	int rc = -1;

	if (strncmp(p, head, sizeof(head) - 1))
		return -1;
	p += sizeof(head) - 1;
	comma = strchr(p, ',');
	close = comma ? strchr(comma, ')') : NULL;
	if (!close || close[1 + strspn(close + 1, " \t")] || memchr(p, '$', (size_t)(close - p)) ||
	    memchr(comma + 1, ',', (size_t)(close - comma - 1)))
		return -1;
	base = kc_rule_arg(p, (size_t)(comma - p));
	frags = kc_rule_arg(comma + 1, (size_t)(close - comma - 1));
	if (!base || !frags)
		goto out_oom;
	if (!kc_rule_plain_word(base, strlen(base)) || strchr(base, ' ') || strchr(base, '/'))
		goto out;
	st = kc_rule_add_step(rule);
	if (!st || asprintf((char **)&st->base, "arch/%s/configs/%s", srcarch, base) < 0) {
		if (st)
			st->base = NULL;
		goto out_oom;
	}
	for (f = frags; *f; n++) {
		f += strspn(f, " \t");
		if (!*f)
			break;
		f += strcspn(f, " \t");
	}
	st->fragments = calloc(n + 1, sizeof(*st->fragments));
	if (!st->fragments)
		goto out_oom;
	n = 0;
	for (f = frags; ; ) {
		size_t len;
		char *path;

		f += strspn(f, " \t");
		if (!*f)
			break;
		len = strcspn(f, " \t");
		if (!kc_rule_plain_word(f, len) || memchr(f, '/', len))
			goto out;
		if (asprintf(&path, "arch/%s/configs/%.*s.config", srcarch, (int)len, f) < 0)
			goto out_oom;
		((const char **)st->fragments)[n++] = path;
		f += len;
	}
	rc = 0;
	goto out;
out_oom:
	rc = -2;
out:
	free(base);
	free(frags);
	return rc;
}

/* The one recipe line of a rule, read into steps: 0, -1 not a form kmin knows, -2 OOM. */
static int kc_rule_recipe(struct kconfig_arch_rule *rule, const char *srcarch, const char *line)
{
	const char *p = line + strspn(line, " \t");
	int rc;

	while (*p == '+' || *p == '@' || *p == '-')
		p++;
	if (!strncmp(p, "$(Q)", 4))
		p += 4;
	p += strspn(p, " \t");
	rc = kc_rule_make(rule, p);
	if (rc == -1)
		rc = kc_rule_merge(rule, srcarch, p);
	return rc;
}

/* A rule that cannot be run: the message names it and the Makefile's line. */
static int kc_rule_refuse(struct kconfig *kc, const char *name, const char *srcarch, int line,
			  const char *why)
{
	return kc_error(kc, KCONFIG_EINVAL,
			"'%s' is a target of the arch Makefile (arch/%s/Makefile:%d), which kmin "
			"does not run: %s", name, srcarch, line, why);
}

/* word (n bytes) among the blank-separated words of list */
static bool kc_rule_has_word(const char *list, const char *word, size_t n)
{
	for (const char *w = list; *w;) {
		size_t len;

		w += strspn(w, " \t");
		len = strcspn(w, " \t");
		if (len == n && !memcmp(w, word, n))
			return true;
		w += len;
	}
	return false;
}

/* The words of an assignment to var ("var += ...", also := = ?=) in line, or NULL. */
static const char *kc_rule_assigned(const char *line, const char *var, size_t n)
{
	const char *p = line + strspn(line, " \t");

	if (strncmp(p, var, n))
		return NULL;
	p += n;
	p += strspn(p, " \t");
	if (*p == '+' || *p == ':' || *p == '?')
		p++;
	return *p == '=' ? p + 1 : NULL;
}

/*
 * Whether name is phony: in PHONY (or .PHONY:) itself or through one
 * variable there ("PHONY += $(generated_configs)", 6.12's powerpc).
 */
static bool kc_rule_phony(const char *text, const char *name)
{
	const char *pos = text;
	char *line, *vars = NULL;
	size_t nvars = 0;
	int next_line = 1, lineno;
	bool oom = false, phony = false;

	for (int pass = 0; pass < 2 && !phony; pass++) {
		pos = text;
		next_line = 1;
		while (!phony && (line = kc_rule_logical_line(&pos, &next_line, &lineno, &oom))) {
			const char *words = kc_rule_assigned(line, "PHONY", 5);
			const char *p = line + strspn(line, " \t");

			if (!words && !strncmp(p, ".PHONY:", 7))
				words = p + 7;
			if (pass == 0 && words) {
				phony = kc_rule_has_word(words, name, strlen(name));
				/* remember the $(VAR) words, NUL-separated */
				for (const char *w = words; !phony && (w = strstr(w, "$("));) {
					size_t n = strcspn(w + 2, ")");
					char *nv = realloc(vars, nvars + n + 1);

					if (!nv)
						break;
					vars = nv;
					memcpy(vars + nvars, w + 2, n);
					vars[nvars + n] = '\0';
					nvars += n + 1;
					w += 2 + n;
				}
			}
			for (size_t v = 0; pass == 1 && v < nvars && !phony; v += strlen(vars + v) + 1) {
				const char *list = kc_rule_assigned(line, vars + v, strlen(vars + v));

				phony = list && kc_rule_has_word(list, name, strlen(name));
			}
			free(line);
		}
	}
	free(vars);
	return phony;
}

/* The prerequisites of a rule (plain target names) as steps: 0, -1 others, -2 OOM. */
static int kc_rule_prerequisites(struct kconfig_arch_rule *rule, const char *p)
{
	for (;;) {
		struct kconfig_arch_step *st;
		size_t n;

		p += strspn(p, " \t");
		if (!*p || *p == '#')
			return 0;
		n = strcspn(p, " \t");
		if (!kc_rule_plain_word(p, n) || memchr(p, '|', n))
			return -1;
		st = kc_rule_add_step(rule);
		if (!st || !(st->target = strndup(p, n)))
			return -2;
		p += n;
	}
}

/* Parse the rule of name that starts at the logical line *pos points after. */
static int kc_rule_read(struct kconfig *kc, const char *name, const char *srcarch,
			const char *text, const char *colon, const char *pos, int rule_line,
			int next_line, struct kconfig_arch_rule **out)
{
	struct kconfig_arch_rule *rule = calloc(1, sizeof(*rule));
	char *line, *recipe = NULL;
	int lineno, nrecipe = 0, rc = 0;
	bool oom = false;

	if (!rule)
		return kc_error(kc, KCONFIG_ENOMEM, "out of memory");
	/* make runs the prerequisites first, one by one without -j */
	rc = kc_rule_prerequisites(rule, colon + 1);
	if (rc) {
		kconfig_arch_rule_free(rule);
		return rc == -2 ? kc_error(kc, KCONFIG_ENOMEM, "out of memory")
				: kc_rule_refuse(kc, name, srcarch, rule_line,
						 "its prerequisites are not plain target names");
	}
	/* the recipe: the lines starting with a tab (blank and comment lines between) */
	while ((line = kc_rule_logical_line(&pos, &next_line, &lineno, &oom))) {
		const char *p = line + strspn(line, " \t");

		if (line[0] == '\t' && *p && *p != '#') {
			nrecipe++;
			free(recipe);
			recipe = line;
			continue;
		}
		bool other = *p && *p != '#';

		free(line);
		if (other)
			break;
	}
	if (oom)
		rc = kc_error(kc, KCONFIG_ENOMEM, "out of memory");
	else if (nrecipe == 0 && rule->nsteps && kc_rule_phony(text, name))
		rc = 0;	/* a phony target without recipe: its prerequisites are all */
	else if (nrecipe != 1)
		rc = kc_rule_refuse(kc, name, srcarch, rule_line,
				    nrecipe ? "its recipe has several lines"
					    : "it has no recipe (make would look for another rule)");
	else if ((rc = kc_rule_recipe(rule, srcarch, recipe)) == -2)
		rc = kc_error(kc, KCONFIG_ENOMEM, "out of memory");
	else if (rc)
		rc = kc_rule_refuse(kc, name, srcarch, rule_line,
				    "its recipe is neither `$(MAKE) -f $(srctree)/Makefile "
				    "TARGET...` nor `$(call merge_into_defconfig,BASE,FRAGMENTS)`");
	free(recipe);
	if (rc) {
		kconfig_arch_rule_free(rule);
		return rc;
	}
	*out = rule;
	return 0;
}

int kc_arch_rule(struct kconfig *kc, const char *name, struct kconfig_arch_rule **out)
{
	const char *srcarch = kc_getenv(kc, "SRCARCH");
	const char *pos, *colon;
	char *text, *line;
	int next_line = 1, lineno, rc = KCONFIG_ENOENT;
	bool oom = false, in_define = false;

	*out = NULL;
	if (!srcarch || !*srcarch)
		return kc_error(kc, KCONFIG_EINVAL, "arch rules need SRCARCH in the environment");
	text = kc_archdef_makefile(kc, srcarch);
	if (!text)
		return kc_error(kc, KCONFIG_ENOENT, "cannot read arch/%s/Makefile", srcarch);
	pos = text;
	while ((line = kc_rule_logical_line(&pos, &next_line, &lineno, &oom))) {
		const char *p = line + strspn(line, " \t");

		/* define ... endef bodies are text, not rules */
		if (!strncmp(p, "define", 6) && (p[6] == ' ' || p[6] == '\t'))
			in_define = true;
		else if (in_define && !strncmp(p, "endef", 5))
			in_define = false;
		else if (!in_define && kc_rule_names(line, name, &colon)) {
			rc = kc_rule_read(kc, name, srcarch, text, colon, pos, lineno, next_line,
					  out);
			free(line);
			break;
		}
		free(line);
	}
	if (oom && rc == KCONFIG_ENOENT)
		rc = kc_error(kc, KCONFIG_ENOMEM, "out of memory");
	else if (rc == KCONFIG_ENOENT)
		kc_error(kc, rc, "arch/%s/Makefile has no rule for '%s'", srcarch, name);
	free(text);
	return rc;
}
