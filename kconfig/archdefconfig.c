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
