/*
 * preprocess.c - the Kconfig macro language: variables, functions, $(shell).
 *
 * Kconfig files are run through a small Make-like macro language before
 * the grammar sees them (Documentation/kbuild/kconfig-macro-language.rst).
 * The lexer hands this file two kinds of work:
 *
 *   - assignment lines "NAME = value", "NAME := value", "NAME += value"
 *     (kc_pp_assign), and
 *   - text containing '$' inside a word token or a quoted string
 *     (kc_pp_expand_token, kc_pp_expand_dollar, kc_pp_expand).
 *
 * The semantics are those of scripts/kconfig/preprocess.c in Linux 6.1 and
 * 6.12 (identical there), including their corners:
 *
 *   - A reference is "$(" ... ")"; '$' followed by anything else is a
 *     literal '$'.  Parentheses are counted blindly, so "$(a(b)c)" names
 *     "a(b)c".  Commas split arguments at parenthesis depth 0 only; at most
 *     16 pieces (name plus 15 arguments).
 *   - "$(N)" with N a decimal number 1..argc (as strtoul reads it, so
 *     "$( 1)" and "$(01)" too) is argument N of the enclosing user
 *     function call; "$(0)" is not special.
 *   - The name and every argument are expanded first, left to right, and
 *     then looked up: user variables first, then built-in functions, then
 *     (only without arguments) the environment.  Anything else is "".
 *   - A variable referenced without arguments while it is being expanded
 *     is an error; any variable nested more than 1000 deep is an error.
 *     We also stop at 2048 nested references of any kind, with the same
 *     message, to bound the C stack (~1.3 MB): conf would recurse further
 *     only for mutual recursion, which fails there too, a little later.
 *   - "+=" keeps the flavor of a defined variable and joins with one space
 *     (even onto an empty value); on an undefined one it is "=".
 *   - $(shell,cmd) output: at most 4095 bytes are kept (conf reads one
 *     4096-byte fread and drops the last byte of a full buffer), trailing
 *     newlines are removed, the other newlines become spaces and the text
 *     stops at a NUL byte.  The exit status is ignored.
 *
 * Errors carry "file:line: " like conf's and return KCONFIG_EPARSE (macro
 * errors) or KCONFIG_ESHELL (a command could not be started).  $(info) and
 * $(warning-if) go to the diagnostic callback: info with file NULL (conf
 * prints it bare to stdout), warning-if with the file and line (conf
 * prints "file:line: text" to stderr).
 *
 * Environment variables found by a lookup are recorded once each, in the
 * order of first use, with the value seen (kc_pp_env_count/kc_pp_env_at):
 * conf writes them to include/config/auto.conf.cmd and kmin uses them in
 * cache keys.  As in conf, unset variables are not recorded.
 *
 * Workload: Linux 6.1 for arm has ~50 assignments and a few hundred
 * expansions, all cheap, plus 80 $(shell) commands (78 distinct: compiler
 * and linker probes, version scripts) that spawn ~300 processes and cost
 * 1.1-2.5 s.  The commands are what this file optimises:
 *
 *   - Every result is kept in memory for the lifetime of the context, so
 *     one command line runs at most once per context (Kconfig's commands
 *     are probes whose answer depends only on the command, the working
 *     directory and the toolchain).
 *   - With opts.shell_cache_dir set, results are also kept on disk, keyed
 *     by SHA-256 over the command text, the working directory, the whole
 *     environment the command sees (PATH, but also $RUSTC, which
 *     rust_is_available.sh reads from there) and opts.shell_cache_salt.
 *     Pass a fixed opts.env to get keys that survive between shells.
 *     Warm, all 78 come from disk: a pass over the 1545 Kconfig files
 *     of arm took 0.05 s instead of 1.3-2.5 s.
 *   - One file per key, named by its hex digest: many kmin processes and
 *     threads fill the cache at once, and a file per key lets each writer
 *     publish its entry with one atomic rename() of a private temporary
 *     file, without locks and without rewriting (or losing) anybody
 *     else's entries, while a reader pays one open() per command.  Each
 *     file repeats its key and carries the payload's length and SHA-256;
 *     anything that does not check out (a file cut short by a power loss,
 *     since we do not fsync, or garbage) is simply a miss and gets
 *     rewritten.  Failing to write the cache is silent: it costs time,
 *     never correctness.
 *
 * Commands run as "/bin/sh -c cmd" through posix_spawn with stdin from
 * /dev/null, stdout captured, stderr inherited, the environment of
 * opts.env (or the process's) and the working directory opts.shell_cwd
 * (or the process's); the signal mask is cleared and SIGPIPE reset to its
 * default, as conf's children would have them.
 *
 * No global state: everything lives in the struct kc_pp of one context.
 * Strings returned through **out are malloc'ed and the caller's to free.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "internal.h"

#define KC_PP_MAX_PIECES	16	/* function name plus arguments, as conf */
#define KC_PP_MAX_VAR_DEPTH	1000	/* nested expansions of one variable, as conf */
#define KC_PP_MAX_NESTING	2048	/* all nested references: ~650 bytes of stack each */
#define KC_PP_SHELL_BUF		4096	/* conf's one fread of command output */
#define KC_PP_KEY_LEN		32	/* SHA-256 */
#define KC_PP_HEX_LEN		(2 * KC_PP_KEY_LEN)
#define KC_PP_CACHE_MAGIC	"kmin-shell 1 "

struct kc_pp_var {
	char *name;			/* malloc'ed */
	char *value;			/* malloc'ed; raw text if recursive */
	enum kc_pp_flavor flavor;	/* KC_PP_RECURSIVE or KC_PP_SIMPLE */
	int depth;			/* expansions of this variable in progress */
};

struct kc_pp_env {
	char *name, *value;		/* malloc'ed copies */
};

struct kc_pp_shell {
	unsigned char key[KC_PP_KEY_LEN];
	char *out;			/* post-processed output, malloc'ed */
};

struct kc_pp {
	struct kconfig *kc;		/* borrowed: options, errors, diagnostics */

	struct kc_pp_var **vars;	/* definition order */
	size_t nvars, vars_cap;

	struct kc_pp_env *envs;		/* referenced environment, first use order */
	size_t nenvs, envs_cap;

	struct kc_pp_shell *shells;	/* in-memory $(shell) results */
	size_t nshells, shells_cap;
	struct kc_pp_shell_stats stats;
	char *cwd_key;			/* working directory as hashed; NULL until needed */
	unsigned char env_sum[KC_PP_KEY_LEN];	/* environment as hashed, with cwd_key */

	/* Position of the expansion in progress, for messages and built-ins. */
	const char *file;
	int lineno;
	int nesting;			/* references being expanded right now */
};

/* A growing string. len excludes the NUL; s is NULL until the first add. */
struct kc_pp_buf {
	char *s;
	size_t len, cap;
};

typedef int (*kc_pp_builtin_fn)(struct kc_pp *pp, int argc, char **argv, char **out);

static int kc_pp_expand_until(struct kc_pp *pp, const char **str, bool token_mode,
			      int argc, char **argv, char **out);

/* ---- errors and small helpers ---- */

static int kc_pp_nomem(struct kc_pp *pp)
{
	return kc_error(pp->kc, KCONFIG_ENOMEM, "out of memory");
}

/* An error at the current position: "file:line: message". */
__attribute__((format(printf, 3, 4)))
static int kc_pp_error(struct kc_pp *pp, int code, const char *fmt, ...)
{
	char msg[sizeof(pp->kc->errmsg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return kc_error(pp->kc, code, "%s:%d: %s", pp->file ? pp->file : "", pp->lineno, msg);
}

static int kc_pp_strdup(struct kc_pp *pp, const char *s, char **out)
{
	*out = strdup(s);
	return *out ? 0 : kc_pp_nomem(pp);
}

/* Make room for n more elements of size elem in *arr (capacity *cap). */
static int kc_pp_grow(struct kc_pp *pp, void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? 2 * *cap : 16;
	void *p = realloc(*arr, ncap * elem);
	if (!p)
		return kc_pp_nomem(pp);
	*arr = p;
	*cap = ncap;
	return 0;
}

static int kc_pp_buf_add(struct kc_pp *pp, struct kc_pp_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 64;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		char *p = realloc(b->s, ncap);
		if (!p)
			return kc_pp_nomem(pp);
		b->s = p;
		b->cap = ncap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

/* Hand the buffer's string to the caller ("" if nothing was added). */
static int kc_pp_buf_detach(struct kc_pp *pp, struct kc_pp_buf *b, char **out)
{
	if (!b->s)
		return kc_pp_strdup(pp, "", out);
	*out = b->s;
	b->s = NULL;
	b->len = b->cap = 0;
	return 0;
}

/* conf's is_end_of_token() in the C locale: a word is [A-Za-z0-9_-]. */
static bool kc_pp_is_token_end(char c)
{
	return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		 (c >= '0' && c <= '9') || c == '_' || c == '-');
}

/* ---- variables ---- */

static struct kc_pp_var *kc_pp_var_find(struct kc_pp *pp, const char *name)
{
	for (size_t i = 0; i < pp->nvars; i++)
		if (!strcmp(pp->vars[i]->name, name))
			return pp->vars[i];
	return NULL;
}

static int kc_pp_var_expand(struct kc_pp *pp, struct kc_pp_var *v, int argc, char **argv,
			    char **out)
{
	if (argc == 0 && v->depth)
		return kc_pp_error(pp, KCONFIG_EPARSE,
				   "Recursive variable '%s' references itself (eventually)",
				   v->name);
	if (v->depth > KC_PP_MAX_VAR_DEPTH)
		return kc_pp_error(pp, KCONFIG_EPARSE, "Too deep recursive expansion");
	if (v->flavor == KC_PP_SIMPLE)
		return kc_pp_strdup(pp, v->value, out);

	const char *text = v->value;
	v->depth++;
	int rc = kc_pp_expand_until(pp, &text, false, argc, argv, out);
	v->depth--;
	return rc;
}

static int kc_pp_var_new(struct kc_pp *pp, const char *name, struct kc_pp_var **out)
{
	int rc = kc_pp_grow(pp, (void **)&pp->vars, &pp->vars_cap, pp->nvars, sizeof(*pp->vars));
	if (rc)
		return rc;
	struct kc_pp_var *v = calloc(1, sizeof(*v));
	if (!v || !(v->name = strdup(name))) {
		free(v);
		return kc_pp_nomem(pp);
	}
	pp->vars[pp->nvars++] = v;
	*out = v;
	return 0;
}

/* ---- environment ---- */

static int kc_pp_env_record(struct kc_pp *pp, const char *name, const char *value)
{
	int rc = kc_pp_grow(pp, (void **)&pp->envs, &pp->envs_cap, pp->nenvs, sizeof(*pp->envs));
	if (rc)
		return rc;
	struct kc_pp_env *e = &pp->envs[pp->nenvs];
	e->name = strdup(name);
	e->value = strdup(value);
	if (!e->name || !e->value) {
		free(e->name);
		free(e->value);
		return kc_pp_nomem(pp);
	}
	pp->nenvs++;
	return 0;
}

/* Look name up in the environment; *found tells whether it is set. */
static int kc_pp_env_lookup(struct kc_pp *pp, const char *name, bool *found, char **out)
{
	*found = false;
	if (!*name)
		return 0;
	for (size_t i = 0; i < pp->nenvs; i++) {
		if (!strcmp(pp->envs[i].name, name)) {
			*found = true;
			return kc_pp_strdup(pp, pp->envs[i].value, out);
		}
	}
	const char *value = kc_getenv(pp->kc, name);
	if (!value)
		return 0;
	int rc = kc_pp_env_record(pp, name, value);
	if (rc)
		return rc;
	*found = true;
	return kc_pp_strdup(pp, value, out);
}

size_t kc_pp_env_count(const struct kc_pp *pp)
{
	return pp->nenvs;
}

void kc_pp_env_at(const struct kc_pp *pp, size_t i, const char **name, const char **value)
{
	*name = pp->envs[i].name;
	*value = pp->envs[i].value;
}

/* ---- $(shell): key, caches, running the command ---- */

static void kc_pp_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int kc_pp_sha256(const void *data, size_t n, unsigned char key[KC_PP_KEY_LEN])
{
	unsigned int len = 0;

	if (!EVP_Digest(data, n, key, &len, EVP_sha256(), NULL) || len != KC_PP_KEY_LEN)
		return -1;
	return 0;
}

/* Feed one field, length first, so that no two field lists hash alike. */
static int kc_pp_key_field(EVP_MD_CTX *md, const char *s)
{
	char len[32];
	int n = snprintf(len, sizeof(len), "%zu:", s ? strlen(s) : (size_t)0);

	if (!s)
		return EVP_DigestUpdate(md, "-", 1) ? 0 : -1;
	if (!EVP_DigestUpdate(md, len, (size_t)n) || !EVP_DigestUpdate(md, s, strlen(s)))
		return -1;
	return 0;
}

static int kc_pp_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * SHA-256 of the whole environment commands see, sorted: scripts read it
 * (rust_is_available.sh reads $RUSTC, $BINDGEN and $CC), so any change of
 * it must be a different key.
 */
static int kc_pp_env_sum(struct kc_pp *pp, unsigned char sum[KC_PP_KEY_LEN])
{
	const char *const *env = pp->kc->opts.env ? pp->kc->opts.env : (const char *const *)environ;
	size_t n = 0;
	unsigned int len = 0;
	int rc = -1;

	while (env && env[n])
		n++;
	const char **sorted = malloc((n + 1) * sizeof(*sorted));
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (sorted && md) {
		memcpy(sorted, env, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), kc_pp_cmp_str);
		rc = EVP_DigestInit_ex(md, EVP_sha256(), NULL) ? 0 : -1;
		for (size_t i = 0; i < n && !rc; i++)
			rc = kc_pp_key_field(md, sorted[i]);
		if (!rc && (!EVP_DigestFinal_ex(md, sum, &len) || len != KC_PP_KEY_LEN))
			rc = -1;
	}
	free(sorted);
	EVP_MD_CTX_free(md);
	return rc;
}

/*
 * What every key of this context shares, computed once: the directory
 * commands run in (absolute when it can be) and the environment's sum.
 */
static int kc_pp_key_prepare(struct kc_pp *pp)
{
	const char *cwd = pp->kc->opts.shell_cwd;

	if (pp->cwd_key)
		return 0;
	if (kc_pp_env_sum(pp, pp->env_sum))
		return kc_pp_error(pp, KCONFIG_ENOMEM, "cannot hash the environment");
	pp->cwd_key = cwd ? realpath(cwd, NULL) : getcwd(NULL, 0);
	if (!pp->cwd_key)
		pp->cwd_key = strdup(cwd ? cwd : ".");
	return pp->cwd_key ? 0 : kc_pp_nomem(pp);
}

/* The key of cmd: command text, directory, environment and salt. */
static int kc_pp_shell_key(struct kc_pp *pp, const char *cmd, unsigned char key[KC_PP_KEY_LEN])
{
	char envhex[KC_PP_HEX_LEN + 1];
	unsigned int len = 0;
	int rc = kc_pp_key_prepare(pp);

	if (rc)
		return rc;
	kc_pp_hex(pp->env_sum, sizeof(pp->env_sum), envhex);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md)
		return kc_pp_nomem(pp);
	rc = -1;
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
	    !kc_pp_key_field(md, "kmin $(shell) 1") &&
	    !kc_pp_key_field(md, cmd) &&
	    !kc_pp_key_field(md, pp->cwd_key) &&
	    !kc_pp_key_field(md, envhex) &&
	    !kc_pp_key_field(md, pp->kc->opts.shell_cache_salt) &&
	    EVP_DigestFinal_ex(md, key, &len) && len == KC_PP_KEY_LEN)
		rc = 0;
	EVP_MD_CTX_free(md);
	if (rc)
		return kc_pp_error(pp, KCONFIG_ENOMEM, "%s: cannot compute cache key", cmd);
	return 0;
}

static const char *kc_pp_mem_find(struct kc_pp *pp, const unsigned char key[KC_PP_KEY_LEN])
{
	for (size_t i = 0; i < pp->nshells; i++)
		if (!memcmp(pp->shells[i].key, key, KC_PP_KEY_LEN))
			return pp->shells[i].out;
	return NULL;
}

static int kc_pp_mem_store(struct kc_pp *pp, const unsigned char key[KC_PP_KEY_LEN],
			   const char *out)
{
	int rc = kc_pp_grow(pp, (void **)&pp->shells, &pp->shells_cap, pp->nshells,
			    sizeof(*pp->shells));
	if (rc)
		return rc;
	struct kc_pp_shell *s = &pp->shells[pp->nshells];
	memcpy(s->key, key, KC_PP_KEY_LEN);
	if (!(s->out = strdup(out)))
		return kc_pp_nomem(pp);
	pp->nshells++;
	return 0;
}

/* "<dir>/<64 hex digits>"; malloc'ed, NULL on OOM. */
static char *kc_pp_disk_path(const char *dir, const char *hex)
{
	size_t n = strlen(dir) + 1 + KC_PP_HEX_LEN + 1;
	char *path = malloc(n);

	if (path)
		snprintf(path, n, "%s/%s", dir, hex);
	return path;
}

static void kc_pp_disk_header(char *hdr, size_t size, const char *keyhex, const char *payload,
			      size_t len)
{
	unsigned char sum[KC_PP_KEY_LEN];
	char sumhex[KC_PP_HEX_LEN + 1];

	if (kc_pp_sha256(payload, len, sum))
		memset(sum, 0, sizeof(sum));
	kc_pp_hex(sum, sizeof(sum), sumhex);
	snprintf(hdr, size, KC_PP_CACHE_MAGIC "%s %zu %s\n", keyhex, len, sumhex);
}

/* Read a whole small file into a NUL-terminated buffer; -1 if unusable. */
static int kc_pp_read_small(const char *path, size_t max, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char *buf = malloc(max + 1);
	size_t n = 0;
	ssize_t r = 1;
	while (buf && n <= max && r > 0) {
		r = read(fd, buf + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			r = 1;
		else if (r > 0)
			n += (size_t)r;
	}
	close(fd);
	if (!buf || r < 0 || n > max) {
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/*
 * Look the key up on disk.  Returns 1 with *out set on a hit, 0 on a miss
 * (absent, unreadable or not valid), negative only when out of memory.
 */
static int kc_pp_disk_load(struct kc_pp *pp, const char *keyhex, char **out)
{
	char *path = kc_pp_disk_path(pp->kc->opts.shell_cache_dir, keyhex);
	char *buf, hdr[256];
	size_t len;

	if (!path)
		return kc_pp_nomem(pp);
	int rc = kc_pp_read_small(path, sizeof(hdr) + KC_PP_SHELL_BUF, &buf, &len);
	free(path);
	if (rc)
		return 0;
	char *nl = memchr(buf, '\n', len);
	if (nl && (size_t)(nl - buf) < sizeof(hdr) - 1) {
		char *payload = nl + 1;
		size_t plen = len - (size_t)(payload - buf);
		kc_pp_disk_header(hdr, sizeof(hdr), keyhex, payload, plen);
		if (!memcmp(buf, hdr, strlen(hdr)) && (size_t)(nl - buf) + 1 == strlen(hdr) &&
		    strlen(payload) == plen) {
			memmove(buf, payload, plen + 1);
			*out = buf;
			return 1;
		}
	}
	free(buf);
	return 0;
}

static int kc_pp_write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* mkdir -p; 0 if dir exists afterwards. */
static int kc_pp_mkdirs(const char *dir)
{
	struct stat st;

	if (!stat(dir, &st))
		return S_ISDIR(st.st_mode) ? 0 : -1;
	char *copy = strdup(dir);
	if (!copy)
		return -1;
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0777) && errno != EEXIST)
			break;
		*p = '/';
	}
	free(copy);
	return mkdir(dir, 0777) && errno != EEXIST ? -1 : 0;
}

/* Publish an entry: private temporary file, then rename().  Best effort. */
static void kc_pp_disk_store(struct kc_pp *pp, const char *keyhex, const char *payload)
{
	const char *dir = pp->kc->opts.shell_cache_dir;
	size_t n = strlen(dir) + sizeof("/.tmp-XXXXXX");
	char *tmp = malloc(n), *path = kc_pp_disk_path(dir, keyhex);
	char hdr[256];

	if (!tmp || !path || kc_pp_mkdirs(dir))
		goto out;
	snprintf(tmp, n, "%s/.tmp-XXXXXX", dir);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		goto out;
	kc_pp_disk_header(hdr, sizeof(hdr), keyhex, payload, strlen(payload));
	int rc = fchmod(fd, 0644);
	rc = rc || kc_pp_write_all(fd, hdr, strlen(hdr));
	rc = rc || kc_pp_write_all(fd, payload, strlen(payload));
	rc = close(fd) || rc;
	if (rc || rename(tmp, path))
		unlink(tmp);
	else
		pp->stats.disk_stores++;
out:
	free(tmp);
	free(path);
}

/* conf's post-processing of the bytes a command wrote (see the header). */
static void kc_pp_shell_clean(char *buf, size_t n)
{
	if (n == KC_PP_SHELL_BUF)
		n--;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\n')
			buf[i] = ' ';
}

/* Read up to size bytes from fd; returns the count, stops early at EOF. */
static size_t kc_pp_read_upto(int fd, char *buf, size_t size)
{
	size_t n = 0;

	while (n < size) {
		ssize_t r = read(fd, buf + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	return n;
}

static int kc_pp_spawn(struct kc_pp *pp, const char *cmd, int outfd, pid_t *pid)
{
	const struct kconfig_options *o = &pp->kc->opts;
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	char *const *env = o->env ? (char *const *)o->env : environ;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dflt;
	int rc;

	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	if ((rc = posix_spawn_file_actions_init(&fa)))
		return rc;
	if ((rc = posix_spawnattr_init(&attr))) {
		posix_spawn_file_actions_destroy(&fa);
		return rc;
	}
	/* dup2 first: outfd may be 0 if the caller closed its stdin. */
	if (!(rc = posix_spawn_file_actions_adddup2(&fa, outfd, STDOUT_FILENO)))
		rc = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (!rc && o->shell_cwd)
		rc = posix_spawn_file_actions_addchdir_np(&fa, o->shell_cwd);
	if (!rc)
		rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	if (!rc)
		rc = posix_spawnattr_setsigmask(&attr, &none);
	if (!rc)
		rc = posix_spawnattr_setsigdefault(&attr, &dflt);
	if (!rc)
		rc = posix_spawn(pid, "/bin/sh", &fa, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* Run cmd and return its post-processed output in *out (malloc'ed). */
static int kc_pp_shell_run(struct kc_pp *pp, const char *cmd, char **out)
{
	const char *cwd = pp->kc->opts.shell_cwd;
	struct stat st;
	int fds[2];
	pid_t pid;

	/* posix_spawn reports a failed chdir, but not under every emulator. */
	if (cwd && stat(cwd, &st))
		return kc_pp_error(pp, KCONFIG_ESHELL, "%s: cannot use '%s': %s", cmd, cwd,
				   strerror(errno));
	if (pipe2(fds, O_CLOEXEC))
		return kc_pp_error(pp, KCONFIG_ESHELL, "%s: %s", cmd, strerror(errno));
	int rc = kc_pp_spawn(pp, cmd, fds[1], &pid);
	close(fds[1]);
	if (rc) {
		close(fds[0]);
		return kc_pp_error(pp, KCONFIG_ESHELL, "%s: %s", cmd, strerror(rc));
	}
	pp->stats.runs++;
	char *buf = malloc(KC_PP_SHELL_BUF + 1);
	size_t n = buf ? kc_pp_read_upto(fds[0], buf, KC_PP_SHELL_BUF) : 0;
	/* Like pclose(): stop reading, then reap; a writer of more gets SIGPIPE. */
	close(fds[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (!buf)
		return kc_pp_nomem(pp);
	kc_pp_shell_clean(buf, n);
	*out = buf;
	return 0;
}

/* $(shell,cmd): memory, then disk, then run it (and remember the answer). */
static int kc_pp_fn_shell(struct kc_pp *pp, int argc, char **argv, char **out)
{
	const char *cmd = argv[0], *dir = pp->kc->opts.shell_cache_dir;
	unsigned char key[KC_PP_KEY_LEN];
	char keyhex[KC_PP_HEX_LEN + 1];
	char *res = NULL;
	int rc = kc_pp_shell_key(pp, cmd, key);

	if (rc)
		return rc;
	const char *hit = kc_pp_mem_find(pp, key);
	if (hit) {
		pp->stats.mem_hits++;
		return kc_pp_strdup(pp, hit, out);
	}
	kc_pp_hex(key, sizeof(key), keyhex);
	if (dir) {
		rc = kc_pp_disk_load(pp, keyhex, &res);
		if (rc < 0)
			return rc;
		if (rc)
			pp->stats.disk_hits++;
	}
	if (!res) {
		if ((rc = kc_pp_shell_run(pp, cmd, &res)))
			return rc;
		if (dir)
			kc_pp_disk_store(pp, keyhex, res);
	}
	if ((rc = kc_pp_mem_store(pp, key, res))) {
		free(res);
		return rc;
	}
	*out = res;
	return 0;
}

void kc_pp_shell_stats(const struct kc_pp *pp, struct kc_pp_shell_stats *out)
{
	*out = pp->stats;
}

/* ---- the other built-in functions ---- */

static int kc_pp_fn_error_if(struct kc_pp *pp, int argc, char **argv, char **out)
{
	if (!strcmp(argv[0], "y"))
		return kc_pp_error(pp, KCONFIG_EPARSE, "%s", argv[1]);
	return kc_pp_strdup(pp, "", out);
}

static int kc_pp_fn_filename(struct kc_pp *pp, int argc, char **argv, char **out)
{
	return kc_pp_strdup(pp, pp->file ? pp->file : "", out);
}

static int kc_pp_fn_info(struct kc_pp *pp, int argc, char **argv, char **out)
{
	kc_diag(pp->kc, KCONFIG_DIAG_INFO, NULL, 0, "%s", argv[0]);
	return kc_pp_strdup(pp, "", out);
}

static int kc_pp_fn_lineno(struct kc_pp *pp, int argc, char **argv, char **out)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", pp->lineno);
	return kc_pp_strdup(pp, buf, out);
}

static int kc_pp_fn_warning_if(struct kc_pp *pp, int argc, char **argv, char **out)
{
	if (!strcmp(argv[0], "y"))
		kc_diag(pp->kc, KCONFIG_DIAG_WARNING, pp->file, pp->lineno, "%s", argv[1]);
	return kc_pp_strdup(pp, "", out);
}

static const struct kc_pp_builtin {
	const char *name;
	int min_args, max_args;
	kc_pp_builtin_fn fn;
} kc_pp_builtins[] = {
	{ "error-if",	2, 2, kc_pp_fn_error_if },
	{ "filename",	0, 0, kc_pp_fn_filename },
	{ "info",	1, 1, kc_pp_fn_info },
	{ "lineno",	0, 0, kc_pp_fn_lineno },
	{ "shell",	1, 1, kc_pp_fn_shell },
	{ "warning-if",	2, 2, kc_pp_fn_warning_if },
};

static const struct kc_pp_builtin *kc_pp_builtin_find(const char *name)
{
	for (size_t i = 0; i < sizeof(kc_pp_builtins) / sizeof(kc_pp_builtins[0]); i++)
		if (!strcmp(kc_pp_builtins[i].name, name))
			return &kc_pp_builtins[i];
	return NULL;
}

static int kc_pp_builtin_call(struct kc_pp *pp, const struct kc_pp_builtin *f, int argc,
			      char **argv, char **out)
{
	if (argc < f->min_args)
		return kc_pp_error(pp, KCONFIG_EPARSE,
				   "too few function arguments passed to '%s'", f->name);
	if (argc > f->max_args)
		return kc_pp_error(pp, KCONFIG_EPARSE,
				   "too many function arguments passed to '%s'", f->name);
	return f->fn(pp, argc, argv, out);
}

/* ---- references ---- */

/* Resolve an expanded name with expanded arguments, in conf's order. */
static int kc_pp_resolve(struct kc_pp *pp, const char *name, int argc, char **argv, char **out)
{
	struct kc_pp_var *v = kc_pp_var_find(pp, name);
	if (v)
		return kc_pp_var_expand(pp, v, argc, argv, out);

	const struct kc_pp_builtin *f = kc_pp_builtin_find(name);
	if (f)
		return kc_pp_builtin_call(pp, f, argc, argv, out);

	if (argc == 0) {
		bool found;
		int rc = kc_pp_env_lookup(pp, name, &found, out);
		if (rc || found)
			return rc;
	}
	return kc_pp_strdup(pp, "", out);
}

/*
 * Split the text between "$(" and ")" (NUL-terminated, modified in place)
 * at top-level commas into pieces[0..*npieces).
 */
static int kc_pp_split(struct kc_pp *pp, char *s, char **pieces, int *npieces)
{
	int nest = 0, n = 0;
	char *p;

	pieces[n++] = s;
	for (p = s; *p; p++) {
		if (*p == '(') {
			nest++;
		} else if (*p == ')') {
			nest--;
		} else if (*p == ',' && nest == 0) {
			if (n >= KC_PP_MAX_PIECES)
				return kc_pp_error(pp, KCONFIG_EPARSE, "too many function arguments");
			*p = '\0';
			pieces[n++] = p + 1;
		}
	}
	*npieces = n;
	return 0;
}

/* Is the clause a number 1..argc, i.e. an argument of the current call? */
static const char *kc_pp_local_arg(const char *clause, int argc, char **argv)
{
	char *end;
	unsigned long n = strtoul(clause, &end, 10);

	if (*end || n == 0 || n > (unsigned long)argc)
		return NULL;
	return argv[n - 1];
}

/*
 * Evaluate the len bytes of clause (between "$(" and ")") inside a call
 * whose arguments are argc/argv.
 */
static int kc_pp_eval_clause(struct kc_pp *pp, const char *clause, size_t len,
			     int argc, char **argv, char **out)
{
	char *pieces[KC_PP_MAX_PIECES], *args[KC_PP_MAX_PIECES], *name = NULL;
	int npieces = 0, nargs = 0, rc;
	char *tmp = strndup(clause, len);

	if (!tmp)
		return kc_pp_nomem(pp);
	const char *local = kc_pp_local_arg(tmp, argc, argv);
	if (local) {
		rc = kc_pp_strdup(pp, local, out);
		goto out;
	}
	if ((rc = kc_pp_split(pp, tmp, pieces, &npieces)))
		goto out;
	const char *p = pieces[0];
	if ((rc = kc_pp_expand_until(pp, &p, false, argc, argv, &name)))
		goto out;
	for (; nargs < npieces - 1; nargs++) {
		p = pieces[nargs + 1];
		if ((rc = kc_pp_expand_until(pp, &p, false, argc, argv, &args[nargs])))
			goto out;
	}
	rc = kc_pp_resolve(pp, name, nargs, args, out);
out:
	for (int i = 0; i < nargs; i++)
		free(args[i]);
	free(name);
	free(tmp);
	return rc;
}

/*
 * Expand the reference starting at *str, which points just after a '$'.
 * A '$' not followed by '(' stands for itself and *str does not move;
 * otherwise *str moves past the matching ')'.
 */
static int kc_pp_expand_ref(struct kc_pp *pp, const char **str, int argc, char **argv,
			    char **out)
{
	const char *p = *str, *q;
	int nest = 0;

	if (*p != '(')
		return kc_pp_strdup(pp, "$", out);
	p++;
	for (q = p; *q; q++) {
		if (*q == '(')
			nest++;
		else if (*q == ')' && nest-- == 0)
			break;
	}
	if (!*q)
		return kc_pp_error(pp, KCONFIG_EPARSE,
				   "unterminated reference to '%s': missing ')'", p);
	if (pp->nesting >= KC_PP_MAX_NESTING)
		return kc_pp_error(pp, KCONFIG_EPARSE, "Too deep recursive expansion");
	*str = q + 1;
	pp->nesting++;
	int rc = kc_pp_eval_clause(pp, p, (size_t)(q - p), argc, argv, out);
	pp->nesting--;
	return rc;
}

/*
 * Copy *str to *out expanding references, up to the end of the string or,
 * in token mode, up to the first character outside a reference that
 * cannot be part of a word.  *str is left at that character.
 */
static int kc_pp_expand_until(struct kc_pp *pp, const char **str, bool token_mode,
			      int argc, char **argv, char **out)
{
	struct kc_pp_buf b = { 0 };
	const char *in = *str, *p = *str;
	int rc = 0;

	for (;;) {
		if (*p == '$') {
			char *exp;
			if ((rc = kc_pp_buf_add(pp, &b, in, (size_t)(p - in))))
				goto fail;
			p++;
			if ((rc = kc_pp_expand_ref(pp, &p, argc, argv, &exp)))
				goto fail;
			rc = kc_pp_buf_add(pp, &b, exp, strlen(exp));
			free(exp);
			if (rc)
				goto fail;
			in = p;
			continue;
		}
		if (token_mode ? kc_pp_is_token_end(*p) : !*p)
			break;
		p++;
	}
	if ((rc = kc_pp_buf_add(pp, &b, in, (size_t)(p - in))))
		goto fail;
	*str = p;
	return kc_pp_buf_detach(pp, &b, out);
fail:
	free(b.s);
	return rc;
}

/* ---- public entry points ---- */

static void kc_pp_set_pos(struct kc_pp *pp, const char *file, int lineno)
{
	pp->file = file;
	pp->lineno = lineno;
	pp->nesting = 0;
}

int kc_pp_expand(struct kc_pp *pp, const char *text, const char *file, int lineno, char **out)
{
	*out = NULL;
	kc_pp_set_pos(pp, file, lineno);
	return kc_pp_expand_until(pp, &text, false, 0, NULL, out);
}

int kc_pp_expand_token(struct kc_pp *pp, const char **str, const char *file, int lineno,
		       char **out)
{
	*out = NULL;
	kc_pp_set_pos(pp, file, lineno);
	return kc_pp_expand_until(pp, str, true, 0, NULL, out);
}

int kc_pp_expand_dollar(struct kc_pp *pp, const char **str, const char *file, int lineno,
			char **out)
{
	*out = NULL;
	kc_pp_set_pos(pp, file, lineno);
	return kc_pp_expand_ref(pp, str, 0, NULL, out);
}

int kc_pp_assign(struct kc_pp *pp, const char *name, const char *value, enum kc_pp_flavor flavor,
		 const char *file, int lineno)
{
	struct kc_pp_var *v = kc_pp_var_find(pp, name);
	bool append = flavor == KC_PP_APPEND;
	char *text;
	int rc;

	if (append)
		flavor = v ? v->flavor : KC_PP_RECURSIVE;
	append = append && v;
	if (flavor == KC_PP_SIMPLE) {
		if ((rc = kc_pp_expand(pp, value, file, lineno, &text)))
			return rc;
	} else if ((rc = kc_pp_strdup(pp, value, &text))) {
		return rc;
	}
	if (!v && (rc = kc_pp_var_new(pp, name, &v))) {
		free(text);
		return rc;
	}
	if (append) {
		size_t old = strlen(v->value), add = strlen(text);
		char *joined = realloc(v->value, old + 1 + add + 1);
		if (!joined) {
			free(text);
			return kc_pp_nomem(pp);
		}
		joined[old] = ' ';
		memcpy(joined + old + 1, text, add + 1);
		free(text);
		text = joined;
	} else {
		free(v->value);
	}
	v->value = text;
	v->flavor = flavor;
	return 0;
}

int kc_pp_new(struct kconfig *kc, struct kc_pp **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return kc_error(kc, KCONFIG_ENOMEM, "out of memory");
	(*out)->kc = kc;
	return 0;
}

void kc_pp_free(struct kc_pp *pp)
{
	if (!pp)
		return;
	for (size_t i = 0; i < pp->nvars; i++) {
		free(pp->vars[i]->name);
		free(pp->vars[i]->value);
		free(pp->vars[i]);
	}
	for (size_t i = 0; i < pp->nenvs; i++) {
		free(pp->envs[i].name);
		free(pp->envs[i].value);
	}
	for (size_t i = 0; i < pp->nshells; i++)
		free(pp->shells[i].out);
	free(pp->vars);
	free(pp->envs);
	free(pp->shells);
	free(pp->cwd_key);
	free(pp);
}
