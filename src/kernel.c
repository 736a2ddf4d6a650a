/*
 * kernel.c - the kernel tree's view of an architecture and its toolchain.
 *
 * `make ARCH=arm CROSS_COMPILE=arm-linux-gnueabi- olddefconfig` runs conf
 * with an environment the top Makefile computes: SRCARCH from ARCH, CC and
 * LD from CROSS_COMPILE, CC_VERSION_TEXT from `$(CC) --version | head -n 1`
 * with '#' removed, srctree as the tree's absolute path, KERNELVERSION from
 * the Makefile's VERSION/PATCHLEVEL/SUBLEVEL/EXTRAVERSION.  The Kconfig
 * files read those through the macro language, and CC_VERSION_TEXT even
 * lands in .config, so kmin must compute them exactly as make does.
 *
 * Called once per command (or per worker) before the engine opens a tree;
 * nothing here is on a hot path except the env lookups.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmin/error.h"
#include "kmin/file.h"
#include "kmin/kernel.h"

extern char **environ;

static const struct kmin_arch arch_table[] = {
	{ "arm", "arm", "arm-linux-gnueabi-", "zImage", "arch/arm/boot/zImage", "gcc-arm-linux-gnueabi" },
	{ "arm64", "arm64", "aarch64-linux-gnu-", "Image", "arch/arm64/boot/Image", "gcc-aarch64-linux-gnu" },
	{ "x86_64", "x86", "", "bzImage", "arch/x86/boot/bzImage", "gcc" },
	{ "x86", "x86", "", "bzImage", "arch/x86/boot/bzImage", "gcc" },
	{ "i386", "x86", "", "bzImage", "arch/x86/boot/bzImage", "gcc" },
	{ "riscv", "riscv", "riscv64-linux-gnu-", "Image", "arch/riscv/boot/Image", "gcc-riscv64-linux-gnu" },
	{ "mips", "mips", "mips-linux-gnu-", "vmlinux", "vmlinux", "gcc-mips-linux-gnu" },
	{ "powerpc", "powerpc", "powerpc-linux-gnu-", "zImage", "arch/powerpc/boot/zImage", "gcc-powerpc-linux-gnu" },
	{ "s390", "s390", "s390x-linux-gnu-", "bzImage", "arch/s390/boot/bzImage", "gcc-s390x-linux-gnu" },
	{ "sparc64", "sparc", "sparc64-linux-gnu-", "vmlinux", "vmlinux", "gcc-sparc64-linux-gnu" },
	{ "sparc32", "sparc", "sparc64-linux-gnu-", "vmlinux", "vmlinux", "gcc-sparc64-linux-gnu" },
	{ "parisc64", "parisc", "hppa64-linux-gnu-", "vmlinux", "vmlinux", "gcc-hppa64-linux-gnu" },
};

const struct kmin_arch *kmin_arch_find(const char *name)
{
	for (size_t i = 0; i < sizeof(arch_table) / sizeof(arch_table[0]); i++)
		if (!strcmp(arch_table[i].name, name))
			return &arch_table[i];
	return NULL;
}

void kmin_arch_guess(const char *name, struct kmin_arch *out)
{
	out->name = name;
	out->srcarch = name;
	out->cross_compile = "";
	out->image = "vmlinux";
	out->image_path = "vmlinux";
	out->compiler_package = "gcc";
}

/* Value of "NAME = value" in a Makefile line, or NULL. */
static const char *makefile_var(const char *line, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(line, name, n))
		return NULL;
	line += n;
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line != '=')
		return NULL;
	line++;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

static void chomp(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

int kmin_kernel_version(const char *srctree, char *buf, size_t len, char *err, size_t errlen)
{
	char path[PATH_MAX], line[512];
	char ver[64] = "", patch[64] = "", sub[64] = "", extra[128] = "";
	int have_extra = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/Makefile", srctree);
	f = fopen(path, "re");
	if (!f)
		return kmin_errf(err, errlen, "'%s' is not a kernel source tree: cannot open '%s': %s",
			    srctree, path, strerror(errno));
	for (int i = 0; i < 20 && fgets(line, sizeof(line), f); i++) {
		const char *v;
		chomp(line);
		if ((v = makefile_var(line, "VERSION")))
			snprintf(ver, sizeof(ver), "%s", v);
		else if ((v = makefile_var(line, "PATCHLEVEL")))
			snprintf(patch, sizeof(patch), "%s", v);
		else if ((v = makefile_var(line, "SUBLEVEL")))
			snprintf(sub, sizeof(sub), "%s", v);
		else if ((v = makefile_var(line, "EXTRAVERSION"))) {
			snprintf(extra, sizeof(extra), "%s", v);
			have_extra = 1;
		}
	}
	fclose(f);
	if (!*ver || !have_extra)
		return kmin_errf(err, errlen, "'%s' is not a kernel source tree: no VERSION in '%s'",
			    srctree, path);
	/* KERNELVERSION = $(VERSION)$(if $(PATCHLEVEL),.$(PATCHLEVEL)$(if $(SUBLEVEL),.$(SUBLEVEL)))$(EXTRAVERSION) */
	if (*patch && *sub)
		snprintf(buf, len, "%s.%s.%s%s", ver, patch, sub, extra);
	else if (*patch)
		snprintf(buf, len, "%s.%s%s", ver, patch, extra);
	else
		snprintf(buf, len, "%s%s", ver, extra);
	return 0;
}

struct kmin_kernel_env {
	char **vars;		/* malloc'ed strings, NULL-terminated */
	size_t nvars, cap;
	char *toolchain_id;
	struct kmin_arch arch;
};

static int env_put(struct kmin_kernel_env *env, const char *name, const char *value)
{
	size_t n = strlen(name);
	char *s = malloc(n + strlen(value) + 2);
	if (!s)
		return -1;
	sprintf(s, "%s=%s", name, value);
	for (size_t i = 0; i < env->nvars; i++) {
		if (!strncmp(env->vars[i], name, n) && env->vars[i][n] == '=') {
			free(env->vars[i]);
			env->vars[i] = s;
			return 0;
		}
	}
	if (env->nvars + 2 > env->cap) {
		size_t cap = env->cap ? env->cap * 2 : 128;
		char **v = realloc(env->vars, cap * sizeof(*v));
		if (!v) {
			free(s);
			return -1;
		}
		env->vars = v;
		env->cap = cap;
	}
	env->vars[env->nvars++] = s;
	env->vars[env->nvars] = NULL;
	return 0;
}

const char *kmin_kernel_env_get(const struct kmin_kernel_env *env, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < env->nvars; i++)
		if (!strncmp(env->vars[i], name, n) && env->vars[i][n] == '=')
			return env->vars[i] + n + 1;
	return NULL;
}

/*
 * make hands conf the whole environment, and Kconfig files may read any of
 * it ($(USERCFLAGS), ...), so kmin passes it on too, except:
 *  - KCONFIG_ALLCONFIG, KCONFIG_SEED, KCONFIG_CONFIG: kmin takes those as
 *    explicit options (--allconfig, --seed, --input/-o); conf's other
 *    controls (KCONFIG_WERROR, KCONFIG_PROBABILITY ...) pass as with make;
 *  - LC_ALL: make unexports it;
 *  - variables that change from one shell to the next and that no Kconfig
 *    file or probe reads: they would only make the $(shell,...) cache,
 *    which is keyed by the environment, miss.
 */
static int is_inherited(const char *var)
{
	static const char *const drop[] = {
		"KCONFIG_ALLCONFIG=", "KCONFIG_SEED=", "KCONFIG_CONFIG=", "LC_ALL=", "PWD=", "OLDPWD=", "SHLVL=", "_=", "TERM",
		"COLUMNS=", "LINES=", "SSH_", "DISPLAY=", "WINDOWID=", "XDG_SESSION_",
		"XDG_RUNTIME_DIR=", "DBUS_", "MAIL=", "LS_COLORS=", "PS1=", "PS2=", "HIST",
		"MAKEFLAGS=", "MFLAGS=", "MAKELEVEL=", "COLORTERM=", "TMUX", "STY=",
		"LESS", "PAGER=", "EDITOR=", "VISUAL=", "OLDPWD=", NULL,
	};
	for (const char *const *d = drop; *d; d++)
		if (!strncmp(var, *d, strlen(*d)))
			return 0;
	return 1;
}

static int env_inherit(struct kmin_kernel_env *env)
{
	for (char **e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		char name[256];
		if (!eq || !is_inherited(*e) || (size_t)(eq - *e) >= sizeof(name))
			continue;
		memcpy(name, *e, (size_t)(eq - *e));
		name[eq - *e] = '\0';
		if (env_put(env, name, eq + 1))
			return -1;
	}
	return 0;
}

/*
 * First line of `LC_ALL=C <cc> --version`, '#' removed, like the Makefile's
 * CC_VERSION_TEXT.  An empty string when the compiler cannot run.
 */
static int compiler_version_text(struct kmin_kernel_env *env, const char *cc, char *buf, size_t len)
{
	int pipefd[2];
	pid_t pid;
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)cc, "--version", NULL };
	size_t used = 0;
	ssize_t n;
	int status;

	buf[0] = '\0';
	/* close-on-exec: a build spawned by another thread must not hold it */
	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	env_put(env, "LC_ALL", "C");
	int rc = posix_spawnp(&pid, cc, &fa, NULL, argv, env->vars);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc) {
		close(pipefd[0]);
		return 0;
	}
	while ((n = read(pipefd[0], buf + used, len - 1 - used)) > 0) {
		used += (size_t)n;
		if (used == len - 1)
			break;
	}
	buf[used] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	char *nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	char *w = buf;
	for (char *r = buf; *r; r++)
		if (*r != '#')
			*w++ = *r;
	*w = '\0';
	return 0;
}

/* Resolve a program name through PATH like execvp. */
static int which(const struct kmin_kernel_env *env, const char *prog, char *out, size_t len)
{
	const char *path = kmin_kernel_env_get(env, "PATH");
	if (strchr(prog, '/')) {
		snprintf(out, len, "%s", prog);
		return access(out, X_OK);
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *colon = strchrnul(path, ':');
		int n = snprintf(out, len, "%.*s/%s", (int)(colon - path), path, prog);
		if (n > 0 && (size_t)n < len && !access(out, X_OK))
			return 0;
		path = *colon ? colon + 1 : colon;
	}
	return -1;
}

static void append_tool_id(const struct kmin_kernel_env *env, const char *prog, char *buf, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX];
	struct stat st;
	size_t used = strlen(buf);

	if (which(env, prog, path, sizeof(path)) || !realpath(path, real) || stat(real, &st)) {
		snprintf(buf + used, len - used, "%s:missing;", prog);
		return;
	}
	snprintf(buf + used, len - used, "%s:%lld:%lld.%09ld;", real, (long long)st.st_size,
		 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static int env_set_toolchain(struct kmin_kernel_env *env, const char *cross)
{
	static const char *const tools[][2] = {
		{ "CC", "gcc" }, { "LD", "ld" }, { "AR", "ar" }, { "NM", "nm" },
		{ "OBJCOPY", "objcopy" }, { "OBJDUMP", "objdump" }, { "READELF", "readelf" },
		{ "STRIP", "strip" },
	};
	char value[PATH_MAX];

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		snprintf(value, sizeof(value), "%s%s", cross, tools[i][1]);
		if (env_put(env, tools[i][0], value))
			return -1;
	}
	return env_put(env, "CROSS_COMPILE", cross) || env_put(env, "HOSTCC", "gcc") ||
	       env_put(env, "HOSTCXX", "g++") || env_put(env, "RUSTC", "rustc") ||
	       env_put(env, "BINDGEN", "bindgen") || env_put(env, "PAHOLE", "pahole") ||
	       env_put(env, "CLANG_FLAGS", "") ? -1 : 0;
}

/* FNV-1a, 64 bits: a file name for a cache key (not a security boundary). */
static unsigned long long fnv64(const char *s)
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/*
 * compiler_version_text() behind a small cache: running the compiler costs
 * more than parsing a warm Kconfig tree.  The entry is keyed by the
 * compiler's resolved path, size and modification time, stored as
 * "key\ntext\n" and written atomically; anything unexpected is a miss.
 */
static void cached_version_text(struct kmin_kernel_env *env, const char *cc, char *buf,
				size_t len)
{
	char id[PATH_MAX + 128] = "", dir[PATH_MAX], path[PATH_MAX + 64], tmp[PATH_MAX + 96];
	char line[PATH_MAX + 128];
	FILE *f;

	append_tool_id(env, cc, id, sizeof(id));
	if (strstr(id, ":missing;") || kmin_cache_dir(dir, sizeof(dir))) {
		compiler_version_text(env, cc, buf, len);
		return;
	}
	snprintf(path, sizeof(path), "%s/cc-version/%016llx", dir, fnv64(id));
	if ((f = fopen(path, "re"))) {
		bool hit = fgets(line, sizeof(line), f) && !strncmp(line, id, strlen(id)) &&
			   line[strlen(id)] == '\n' && fgets(buf, (int)len, f);
		fclose(f);
		if (hit && strchr(buf, '\n')) {
			*strchr(buf, '\n') = '\0';
			return;
		}
	}
	compiler_version_text(env, cc, buf, len);
	if (!*buf)
		return;
	snprintf(tmp, sizeof(tmp), "%s/cc-version", dir);
	kmin_mkdir_p(tmp, 0755);
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	if ((f = fopen(tmp, "we"))) {
		bool ok = fprintf(f, "%s\n%s\n", id, buf) > 0;
		if (fclose(f) || !ok || rename(tmp, path))
			unlink(tmp);
	}
}

/* scripts/subarch.include: the host's arch name as the kernel spells it. */
static void host_subarch(char *buf, size_t len)
{
	static const struct { const char *prefix, *arch; } map[] = {
		{ "x86_64", "x86" }, { "i386", "x86" }, { "i486", "x86" }, { "i586", "x86" },
		{ "i686", "x86" }, { "sun4u", "sparc64" }, { "arm", "arm" }, { "sa110", "arm" },
		{ "s390x", "s390" }, { "ppc", "powerpc" }, { "mips", "mips" }, { "sh2", "sh" },
		{ "sh3", "sh" }, { "sh4", "sh" }, { "aarch64", "arm64" }, { "riscv", "riscv" },
		{ "loongarch", "loongarch" },
	};
	struct utsname u;

	if (uname(&u)) {
		snprintf(buf, len, "x86");
		return;
	}
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (!strncmp(u.machine, map[i].prefix, strlen(map[i].prefix))) {
			snprintf(buf, len, "%s", map[i].arch);
			return;
		}
	}
	snprintf(buf, len, "%s", u.machine);
}

/* ARCH=um: arch/um/Makefile exports SUBARCH and HEADER_ARCH for its Kconfig. */
static int env_set_um(struct kmin_kernel_env *env)
{
	char sub[sizeof(((struct utsname *)0)->machine) + 8];

	host_subarch(sub, sizeof(sub));
	const char *header = !strcmp(sub, "x86") || !strcmp(sub, "x86_64") || !strcmp(sub, "i386")
				     ? "x86" : sub;
	return env_put(env, "SUBARCH", sub) || env_put(env, "HEADER_ARCH", header) ? -1 : 0;
}

int kmin_kernel_env_new(struct kmin_kernel_env **out, const char *srctree, const char *arch,
			const char *cross_compile, unsigned int flags, char *err, size_t errlen)
{
	struct kmin_kernel_env *env = calloc(1, sizeof(*env));
	char version[128], abs_src[PATH_MAX], vtext[512], tid[4 * PATH_MAX];
	const struct kmin_arch *a = kmin_arch_find(arch);

	*out = NULL;
	if (!env)
		return kmin_errf(err, errlen, "out of memory");
	if (a)
		env->arch = *a;
	else
		kmin_arch_guess(arch, &env->arch);
	if (!cross_compile)
		cross_compile = env->arch.cross_compile;
	if (kmin_kernel_version(srctree, version, sizeof(version), err, errlen)) {
		if (!(flags & KMIN_ENV_ALLOW_NON_KERNEL))
			goto fail;
		version[0] = '\0';
	}
	if (!realpath(srctree, abs_src)) {
		kmin_errf(err, errlen, "cannot resolve '%s': %s", srctree, strerror(errno));
		goto fail;
	}
	if (env_inherit(env) || env_put(env, "ARCH", arch) ||
	    env_put(env, "SRCARCH", env->arch.srcarch) || env_put(env, "srctree", abs_src) ||
	    env_put(env, "KERNELVERSION", version) || env_put(env, "LC_COLLATE", "C") ||
	    env_put(env, "LC_NUMERIC", "C") || env_set_toolchain(env, cross_compile) ||
	    (!strcmp(arch, "um") && env_set_um(env))) {
		kmin_errf(err, errlen, "out of memory");
		goto fail;
	}
	const char *cc = kmin_kernel_env_get(env, "CC");
	cached_version_text(env, cc, vtext, sizeof(vtext));
	/* LC_ALL was set only for the probe: make unexports it for conf. */
	for (size_t i = 0; i < env->nvars; i++) {
		if (!strncmp(env->vars[i], "LC_ALL=", 7)) {
			free(env->vars[i]);
			env->vars[i] = env->vars[--env->nvars];
			env->vars[env->nvars] = NULL;
			break;
		}
	}
	if (env_put(env, "CC_VERSION_TEXT", vtext)) {
		kmin_errf(err, errlen, "out of memory");
		goto fail;
	}
	snprintf(tid, sizeof(tid), "%s;", vtext);
	append_tool_id(env, cc, tid, sizeof(tid));
	append_tool_id(env, kmin_kernel_env_get(env, "LD"), tid, sizeof(tid));
	env->toolchain_id = strdup(tid);
	if (!env->toolchain_id) {
		kmin_errf(err, errlen, "out of memory");
		goto fail;
	}
	*out = env;
	return 0;
fail:
	kmin_kernel_env_free(env);
	return -1;
}

void kmin_kernel_env_free(struct kmin_kernel_env *env)
{
	if (!env)
		return;
	for (size_t i = 0; i < env->nvars; i++)
		free(env->vars[i]);
	free(env->vars);
	free(env->toolchain_id);
	free(env);
}

const char *const *kmin_kernel_env_vars(const struct kmin_kernel_env *env)
{
	return (const char *const *)env->vars;
}

const char *kmin_kernel_env_toolchain_id(const struct kmin_kernel_env *env)
{
	return env->toolchain_id;
}

const struct kmin_arch *kmin_kernel_env_arch(const struct kmin_kernel_env *env)
{
	return &env->arch;
}

int kmin_cache_dir(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int n;

	if (xdg && *xdg == '/')
		n = snprintf(buf, len, "%s/kmin", xdg);
	else
		n = snprintf(buf, len, "%s/.cache/kmin", home && *home ? home : "/tmp");
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int kmin_default_source(char *buf, size_t len)
{
	char cache[PATH_MAX];
	int n;

	if (kmin_cache_dir(cache, sizeof(cache)))
		return -1;
	n = snprintf(buf, len, "%s/src/linux-source-6.1", cache);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}
