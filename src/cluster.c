/*
 * cluster.c - distcc host specs, cluster slots and compiler probes (see
 * include/kmin/cluster.h for the grammar and the reasons).
 *
 * Callers: src/build_opts.c (kmin build, kmin run: parse --distcc, refuse
 * a host whose compiler differs, size the pool) and src/cmd_doctor.c
 * (report what the cluster offers).  Workload: a handful of words per
 * run and one test compile per host, each well under a second on a
 * healthy host; an unreachable host costs distcc's connect timeout
 * unless the caller's TIMEOUT is shorter.
 *
 * The parser follows distcc(1) rather than distcc's source: a word is
 * taken apart from the left (user@, host id, :port or /limit in either
 * order for TCP, :command for ssh, then ,options), and anything left
 * over makes the word bad, so a typo is reported instead of silently
 * becoming a host name.
 *
 * icecream has no host list to parse: see icecc.c.  The compiler probe
 * below serves both (its WRAPPER is "distcc" or "icecc").
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmin/cluster.h"
#include "kmin/error.h"
#include "kmin/file.h"
#include "kmin/spawn.h"

extern char **environ;

#define MAX_LIMIT 1024

/* ---- host specs ---- */

static void host_clear(struct kmin_cluster_host *h)
{
	free(h->word);
	free(h->user);
	free(h->name);
	free(h->command);
	memset(h, 0, sizeof(*h));
}

void kmin_cluster_free(struct kmin_cluster *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nhosts; i++)
		host_clear(&c->hosts[i]);
	free(c->hosts);
	free(c);
}

/* Digits at *s as a number in [lo, hi]; *s advanced.  0 or -1. */
static int take_number(const char **s, unsigned long lo, unsigned long hi, unsigned int *out)
{
	unsigned long v = 0;
	const char *p = *s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > hi)
			return -1;
	}
	if (v < lo)
		return -1;
	*s = p;
	*out = (unsigned int)v;
	return 0;
}

/* The host id at *s: a [bracketed IPv6] or up to STOP; *s advanced. */
static char *take_hostid(const char **s, const char *stop)
{
	const char *p = *s, *end;
	char *id;

	if (*p == '[') {
		end = strchr(p, ']');
		if (!end || end == p + 1)
			return NULL;
		id = strndup(p + 1, (size_t)(end - p - 1));
		*s = end + 1;
		return id;
	}
	end = p + strcspn(p, stop);
	if (end == p)
		return NULL;
	id = strndup(p, (size_t)(end - p));
	*s = end;
	return id;
}

/* ",OPT,OPT..." (already split off the word); 0 or -1 with a message. */
static int parse_host_options(struct kmin_cluster_host *h, const char *opts, char *err,
			      size_t errlen)
{
	while (*opts == ',') {
		const char *o = opts + 1;
		size_t n = strcspn(o, ",");

		if (n == 3 && !strncmp(o, "lzo", 3))
			h->lzo = true;
		else if (n == 3 && !strncmp(o, "cpp", 3))
			h->cpp = true;
		else if ((n == 4 && !strncmp(o, "auth", 4)) || (n > 5 && !strncmp(o, "auth=", 5)))
			h->auth = true;
		else
			return kmin_errf(err, errlen,
					 "bad distcc host '%s': unknown option '%.*s' (lzo, cpp, auth)",
					 h->word, (int)n, o);
		opts = o + n;
	}
	return 0;
}

/* USER@HOST[/LIMIT][:COMMAND] with the options already split off. */
static int parse_ssh(struct kmin_cluster_host *h, const char *body, char *err, size_t errlen)
{
	const char *at = strchr(body, '@'), *p = at + 1;

	h->transport = KMIN_CLUSTER_SSH;
	if (at > body && !(h->user = strndup(body, (size_t)(at - body))))
		return kmin_errf(err, errlen, "out of memory");
	if (!(h->name = take_hostid(&p, "/:")))
		return kmin_errf(err, errlen, "bad distcc host '%s': no host after '@'", h->word);
	if (*p == '/') {
		p++;
		if (take_number(&p, 1, MAX_LIMIT, &h->limit))
			return kmin_errf(err, errlen, "bad distcc host '%s': /LIMIT takes 1 to %d",
					 h->word, MAX_LIMIT);
		h->limit_given = true;
	}
	if (*p == ':') {
		if (!p[1])
			return kmin_errf(err, errlen, "bad distcc host '%s': empty :COMMAND", h->word);
		if (!(h->command = strdup(p + 1)))
			return kmin_errf(err, errlen, "out of memory");
		p += strlen(p);
	}
	if (*p)
		return kmin_errf(err, errlen, "bad distcc host '%s': unexpected '%s'", h->word, p);
	return 0;
}

/* HOST[:PORT][/LIMIT] or HOST[/LIMIT][:PORT]. */
static int parse_tcp(struct kmin_cluster_host *h, const char *body, char *err, size_t errlen)
{
	const char *p = body;
	bool port = false;

	h->transport = KMIN_CLUSTER_TCP;
	h->port = KMIN_CLUSTER_DEFAULT_PORT;
	if (!(h->name = take_hostid(&p, "/:")))
		return kmin_errf(err, errlen, "bad distcc host '%s': no host name", h->word);
	while (*p == ':' || *p == '/') {
		char what = *p++;
		if (what == ':' && !port) {
			if (take_number(&p, 1, 65535, &h->port))
				return kmin_errf(err, errlen, "bad distcc host '%s': :PORT takes 1 to 65535",
						 h->word);
			port = true;
		} else if (what == '/' && !h->limit_given) {
			if (take_number(&p, 1, MAX_LIMIT, &h->limit))
				return kmin_errf(err, errlen, "bad distcc host '%s': /LIMIT takes 1 to %d",
						 h->word, MAX_LIMIT);
			h->limit_given = true;
		} else {
			return kmin_errf(err, errlen, "bad distcc host '%s': '%c' given twice", h->word,
					 what);
		}
	}
	if (*p)
		return kmin_errf(err, errlen, "bad distcc host '%s': unexpected '%s'", h->word, p);
	return 0;
}

static int parse_host(struct kmin_cluster_host *h, const char *word, unsigned int cores, char *err,
		      size_t errlen)
{
	const char *comma;
	char *body;
	int rc;

	if (!(h->word = strdup(word)))
		return kmin_errf(err, errlen, "out of memory");
	/* options start at the first ',' after a [bracketed IPv6 address] */
	comma = strchr(word, '[') ? strchr(word, ']') : NULL;
	comma = strchr(comma ? comma : word, ',');
	body = comma ? strndup(word, (size_t)(comma - word)) : strdup(word);
	if (!body)
		return kmin_errf(err, errlen, "out of memory");
	if (comma && parse_host_options(h, comma, err, errlen)) {
		free(body);
		return -1;
	}
	if (!strcmp(body, "localhost") || !strncmp(body, "localhost/", 10)) {
		const char *p = body + 9;
		h->transport = KMIN_CLUSTER_LOCAL;
		h->name = strdup("localhost");
		rc = !h->name ? kmin_errf(err, errlen, "out of memory") : 0;
		if (!rc && *p == '/') {
			p++;
			if (take_number(&p, 1, MAX_LIMIT, &h->limit) || *p)
				rc = kmin_errf(err, errlen, "bad distcc host '%s': /LIMIT takes 1 to %d",
					       word, MAX_LIMIT);
			h->limit_given = true;
		}
	} else if (strchr(body, '@')) {
		rc = parse_ssh(h, body, err, errlen);
	} else {
		rc = parse_tcp(h, body, err, errlen);
	}
	free(body);
	if (!rc && !h->limit_given)
		h->limit = h->transport == KMIN_CLUSTER_LOCAL ? (cores ? cores : 1)
							      : KMIN_CLUSTER_DEFAULT_LIMIT;
	return rc;
}

static int parse_global(struct kmin_cluster *c, const char *w, char *err, size_t errlen)
{
	const char *p;
	unsigned int n;

	if (!strcmp(w, "--randomize")) {
		c->randomize = true;
		return 0;
	}
	if (!strncmp(w, "--localslots=", 13) || !strncmp(w, "--localslots_cpp=", 17)) {
		int cpp = w[12] == '_';
		p = w + (cpp ? 17 : 13);
		if (take_number(&p, 0, MAX_LIMIT, &n) || *p)
			return kmin_errf(err, errlen, "bad distcc option '%s': takes a number", w);
		*(cpp ? &c->localslots_cpp : &c->localslots) = (int)n;
		return 0;
	}
	return kmin_errf(err, errlen,
			 "unknown distcc option '%s' (--randomize, --localslots=N, --localslots_cpp=N)",
			 w);
}

static int parse_word(struct kmin_cluster *c, const char *w, unsigned int cores, char *err,
		      size_t errlen)
{
	struct kmin_cluster_host *grown;

	if (!strncmp(w, "--", 2))
		return parse_global(c, w, err, errlen);
	if (w[0] == '+')
		return kmin_errf(err, errlen,
				 "distcc host '%s' is not supported: kmin checks the compiler of every host, so each must be named",
				 w);
	grown = realloc(c->hosts, (c->nhosts + 1) * sizeof(*grown));
	if (!grown)
		return kmin_errf(err, errlen, "out of memory");
	c->hosts = grown;
	memset(&c->hosts[c->nhosts], 0, sizeof(*grown));
	if (parse_host(&c->hosts[c->nhosts], w, cores, err, errlen)) {
		host_clear(&c->hosts[c->nhosts]);
		return -1;
	}
	c->nhosts++;
	return 0;
}

int kmin_cluster_parse(struct kmin_cluster **out, const char *spec, unsigned int local_cores,
		       char *err, size_t errlen)
{
	struct kmin_cluster *c = calloc(1, sizeof(*c));
	const char *p = spec ? spec : "";

	*out = NULL;
	if (!c)
		return kmin_errf(err, errlen, "out of memory");
	c->localslots = c->localslots_cpp = -1;
	for (;;) {
		p += strspn(p, " \t\n\r");
		if (!*p)
			break;
		size_t n = strcspn(p, " \t\n\r");
		char *w = strndup(p, n);
		int rc = w ? parse_word(c, w, local_cores, err, errlen)
			   : kmin_errf(err, errlen, "out of memory");
		free(w);
		if (rc) {
			kmin_cluster_free(c);
			return -1;
		}
		p += n;
	}
	if (!c->nhosts) {
		kmin_cluster_free(c);
		return kmin_errf(err, errlen, "no distcc host in '%s'", spec ? spec : "");
	}
	*out = c;
	return 0;
}

unsigned int kmin_cluster_slots(const struct kmin_cluster *c)
{
	unsigned int n = 0;

	for (size_t i = 0; c && i < c->nhosts; i++)
		n += c->hosts[i].limit;
	return n;
}

static int append(char **buf, size_t *len, const char *s)
{
	size_t n = strlen(s), sep = *len ? 1 : 0;
	char *grown = realloc(*buf, *len + sep + n + 1);

	if (!grown)
		return -1;
	if (sep)
		grown[(*len)++] = ' ';
	memcpy(grown + *len, s, n + 1);
	*len += n;
	*buf = grown;
	return 0;
}

char *kmin_cluster_hosts_string(const struct kmin_cluster *c, const bool *keep)
{
	char *buf = strdup(""), num[48];
	size_t len = 0;
	bool any = false;
	int bad = !buf;

	for (size_t i = 0; !bad && i < c->nhosts; i++)
		any |= !keep || keep[i];
	if (!bad && any && c->randomize)
		bad = append(&buf, &len, "--randomize");
	if (!bad && any && c->localslots >= 0) {
		snprintf(num, sizeof(num), "--localslots=%d", c->localslots);
		bad = append(&buf, &len, num);
	}
	if (!bad && any && c->localslots_cpp >= 0) {
		snprintf(num, sizeof(num), "--localslots_cpp=%d", c->localslots_cpp);
		bad = append(&buf, &len, num);
	}
	for (size_t i = 0; !bad && i < c->nhosts; i++)
		if (!keep || keep[i])
			bad = append(&buf, &len, c->hosts[i].word);
	if (bad) {
		free(buf);
		return NULL;
	}
	return buf;
}

void kmin_cluster_pool_size(unsigned int slots, unsigned int cores, uint64_t mem,
			    unsigned int *workers, unsigned int *jobs)
{
	unsigned int cap = cores ? cores : 1, w;

	if (mem) {
		uint64_t by_mem = mem / (512ULL << 20);
		if (by_mem < cap)
			cap = by_mem ? (unsigned int)by_mem : 1;
	}
	if (!slots)
		slots = 1;
	w = (slots + 7) / 8;
	if (w > cap)
		w = cap;
	if (w < 1)
		w = 1;
	*workers = w;
	*jobs = (slots + w - 1) / w;
	if (*jobs < 2)
		*jobs = 2;
}

/* ---- the config file ---- */

static char *trim(char *s)
{
	char *e;

	s += strspn(s, " \t");
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int kmin_cluster_config_parse(const char *text, char **distcc, int *icecc, char *err,
			      size_t errlen)
{
	char *copy = strdup(text ? text : ""), *line, *save = NULL;
	unsigned int lineno = 0;
	int rc = 0;

	*distcc = NULL;
	*icecc = -1;
	if (!copy)
		return kmin_errf(err, errlen, "out of memory");
	/* strtok_r would skip empty lines and so miscount: split by hand */
	for (line = copy; line && !rc; line = save) {
		char *nl = strchr(line, '\n'), *eq, *name, *value;
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		line = trim(line);
		if (!*line || *line == '#' || !(eq = strchr(line, '=')))
			continue;
		*eq = '\0';
		name = trim(line);
		value = trim(eq + 1);
		if (!strcmp(name, "distcc")) {
			free(*distcc);
			*distcc = strdup(!strcmp(value, "none") ? "" : value);
			if (!*distcc)
				rc = kmin_errf(err, errlen, "out of memory");
		} else if (!strcmp(name, "icecc")) {
			if (!strcmp(value, "yes") || !strcmp(value, "1") || !strcmp(value, "true"))
				*icecc = 1;
			else if (!strcmp(value, "no") || !strcmp(value, "0") || !strcmp(value, "false"))
				*icecc = 0;
			else
				rc = kmin_errf(err, errlen, "line %u: icecc takes yes or no, not '%s'",
					       lineno, value);
		}
	}
	free(copy);
	if (rc) {
		free(*distcc);
		*distcc = NULL;
	}
	return rc;
}

/* ---- compiler probes ---- */

void kmin_cluster_probe_clear(struct kmin_cluster_probe *p)
{
	free(p->comment);
	free(p->message);
	free(p->host);
	memset(p, 0, sizeof(*p));
}

int kmin_elf_comment(char **out, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf = NULL;
	Elf_Scn *scn = NULL;
	size_t shstrndx, len = 0;
	char *buf = strdup("");
	int rc = -1;

	*out = NULL;
	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return kmin_errf(err, errlen, "cannot open '%s': %s", path,
				 buf ? strerror(errno) : "out of memory");
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx)) {
		kmin_errf(err, errlen, "'%s' is not an ELF object", path);
		goto done;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;
		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(name, ".comment") || !(d = elf_getdata(scn, NULL)) || !d->d_buf)
			continue;
		for (size_t off = 0; off < d->d_size;) {
			const char *str = (const char *)d->d_buf + off;
			size_t n = strnlen(str, d->d_size - off);
			char *grown = n ? realloc(buf, len + n + 3) : buf;
			if (!grown) {
				kmin_errf(err, errlen, "out of memory");
				goto done;
			}
			buf = grown;
			if (n) {
				if (len) {
					memcpy(buf + len, "; ", 2);
					len += 2;
				}
				memcpy(buf + len, str, n);
				len += n;
				buf[len] = '\0';
			}
			off += n + 1;
		}
	}
	rc = 0;
done:
	if (elf)
		elf_end(elf);
	close(fd);
	if (rc) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

static unsigned long long fnv64(const char *s)
{
	unsigned long long h = 0xcbf29ce484222325ULL;

	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static const char *const probe_overrides[] = {
	"DISTCC_HOSTS=", "DISTCC_FALLBACK=", "DISTCC_SKIP_LOCAL_RETRY=", "DISTCC_DIR=",
	"DISTCC_VERBOSE=", "LC_ALL=", "CCACHE_PREFIX=", "ICECC_DEBUG=", "ICECC_LOGFILE=",
};

/* Whether VAR ("NAME=VALUE") is set by EXTRA ("NAME=VALUE" list) too. */
static bool overridden(const char *var, const char *const *extra)
{
	for (; extra && *extra; extra++) {
		const char *eq = strchr(*extra, '=');
		if (eq && !strncmp(var, *extra, (size_t)(eq - *extra) + 1))
			return true;
	}
	return false;
}

/*
 * kmin's environment minus the probe's variables, plus them.  distcc's
 * state (its per-host back-off after a failure) goes in WORKDIR/distcc, so
 * a host that failed a minute ago is asked again; DISTCC_BACKOFF_PERIOD=0
 * would do that too, but then distcc 3.4 retries a refused connection
 * without end and dies of a leak of descriptors.  icecc's debug output
 * (which host compiled) goes to the compile's log; EXTRA comes last.
 */
static char **probe_env(const char *wrapper, const char *host_word, const char *workdir,
			const char *const *extra)
{
	size_t n = 0, cap = 8;
	char **env;

	for (char **e = environ; e && *e; e++)
		cap++;
	for (const char *const *e = extra; e && *e; e++)
		cap++;
	env = calloc(cap, sizeof(*env));
	if (!env)
		return NULL;
	for (char **e = environ; e && *e; e++) {
		bool drop = overridden(*e, extra);
		for (size_t i = 0; i < sizeof(probe_overrides) / sizeof(*probe_overrides); i++)
			drop |= !strncmp(*e, probe_overrides[i], strlen(probe_overrides[i]));
		if (!drop)
			env[n++] = *e;
	}
	env[n++] = "LC_ALL=C";
	if (wrapper && !strcmp(wrapper, "distcc")) {
		/* the one host, no fallback to local compilation, no retry here */
		char *hosts = malloc(strlen(host_word ? host_word : "") + 14);
		char *dir = malloc(strlen(workdir) + 20);
		if (!hosts || !dir) {
			free(hosts);
			free(dir);
			free(env);
			return NULL;
		}
		sprintf(hosts, "DISTCC_HOSTS=%s", host_word ? host_word : "");
		sprintf(dir, "DISTCC_DIR=%s/distcc", workdir);
		env[n++] = hosts;
		env[n++] = dir;
		env[n++] = "DISTCC_FALLBACK=0";
		env[n++] = "DISTCC_SKIP_LOCAL_RETRY=1";
	}
	if (wrapper && !strcmp(wrapper, "icecc"))
		env[n++] = "ICECC_DEBUG=debug";
	for (const char *const *e = extra; e && *e; e++)
		env[n++] = (char *)*e;
	env[n] = NULL;
	return env;
}

static void probe_env_free(char **env, const char *wrapper)
{
	if (env && wrapper && !strcmp(wrapper, "distcc"))
		for (char **e = env; *e; e++)
			if (!strncmp(*e, "DISTCC_HOSTS=", 13) || !strncmp(*e, "DISTCC_DIR=", 11))
				free(*e);
	free(env);
}

/*
 * Where icecc compiled, from its debug log at PATH: the daemon of its
 * last "Have to use host ADDRESS:PORT" unless a local build followed
 * ("building myself" when the scheduler picked this machine,
 * "<building_local>" or "local build forced" when icecc gave up on the
 * cluster).  Malloc'ed; NULL when out of memory.
 */
static char *icecc_host(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[1024], host[256] = "local";
	const char *p;

	while (f && fgets(line, sizeof(line), f)) {
		if ((p = strstr(line, "Have to use host ")))
			sscanf(p + 17, "%255s", host);
		else if (strstr(line, "building myself") || strstr(line, "<building_local>") ||
			 strstr(line, "local build forced"))
			snprintf(host, sizeof(host), "local");
	}
	if (f)
		fclose(f);
	return strdup(host);
}

int kmin_cluster_workdir_new(char *buf, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	int n = snprintf(buf, len, "%s/kmin-cluster-XXXXXX", tmp && *tmp ? tmp : "/tmp");

	if (n < 0 || (size_t)n >= len || !mkdtemp(buf)) {
		if (len)
			buf[0] = '\0';
		return -1;
	}
	return 0;
}

void kmin_cluster_workdir_remove(const char *dir)
{
	if (dir && *dir)
		kmin_remove_tree(dir);
}

/*
 * Why the compile failed, from its log at PATH: the first line saying
 * "ERROR:" (distcc's connect error names the host and the reason), else
 * the last non-empty line; distcc's "distcc[PID] " prefix dropped.
 * Malloc'ed; NULL when the log is empty.
 */
char *kmin_cluster_log_reason(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[512], last[512] = "", first_error[512] = "";
	const char *pick;

	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!first_error[0] && strstr(line, "ERROR: "))
			snprintf(first_error, sizeof(first_error), "%s", line);
		if (line[strspn(line, " \t")])
			snprintf(last, sizeof(last), "%s", line);
	}
	fclose(f);
	pick = first_error[0] ? first_error : last;
	if (!strncmp(pick, "distcc[", 7) && strstr(pick, "] "))
		pick = strstr(pick, "] ") + 2;
	return *pick ? strdup(pick) : NULL;
}

static int write_probe_source(const char *path)
{
	static const char src[] =
		"/* kmin: which compiler compiled this? see its .comment */\n"
		"int kmin_probe(int x);\n"
		"int kmin_probe(int x) { return x * 3 + 1; }\n";
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fputs(src, f);
	return fclose(f);
}

int kmin_cluster_probe(struct kmin_cluster_probe *out, const char *wrapper, const char *host_word,
		       const char *cc, const char *workdir, double timeout, char *err,
		       size_t errlen)
{
	return kmin_cluster_probe_env(out, wrapper, host_word, NULL, cc, workdir, timeout, err,
				      errlen);
}

int kmin_cluster_probe_env(struct kmin_cluster_probe *out, const char *wrapper,
			   const char *host_word, const char *const *extra_env, const char *cc,
			   const char *workdir, double timeout, char *err, size_t errlen)
{
	char src[4096], obj[4096], log[4096], ebuf[256];
	unsigned long long tag = fnv64(wrapper) ^ (fnv64(host_word) * 31);
	const char *argv[8];
	struct kmin_spawn_options so = { 0 };
	struct kmin_spawn_result sr;
	char **env;
	size_t k = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(src, sizeof(src), "%s/kmin-probe.c", workdir);
	snprintf(obj, sizeof(obj), "%s/kmin-probe-%016llx.o", workdir, tag);
	snprintf(log, sizeof(log), "%s/kmin-probe-%016llx.log", workdir, tag);
	if (write_probe_source(src))
		return kmin_errf(err, errlen, "cannot write '%s': %s", src, strerror(errno));
	unlink(obj);
	unlink(log);
	snprintf(ebuf, sizeof(ebuf), "%s/distcc", workdir);
	if (mkdir(ebuf, 0700) && errno != EEXIST)
		return kmin_errf(err, errlen, "cannot create '%s': %s", ebuf, strerror(errno));
	if (!(env = probe_env(wrapper, host_word, workdir, extra_env)))
		return kmin_errf(err, errlen, "out of memory");
	if (wrapper)
		argv[k++] = wrapper;
	argv[k++] = cc;
	argv[k++] = "-c";
	argv[k++] = src;
	argv[k++] = "-o";
	argv[k++] = obj;
	argv[k] = NULL;
	so.argv = argv;
	so.envp = (const char *const *)env;
	so.log_path = log;
	so.cwd = workdir;
	so.timeout = timeout;
	so.grace = 1;
	rc = kmin_spawn_run(&so, &sr, err, errlen);
	probe_env_free(env, wrapper);
	if (rc)
		return -1;
	out->seconds = sr.seconds;
	if (sr.end == KMIN_SPAWN_TIMEOUT) {
		snprintf(ebuf, sizeof(ebuf), "no answer within %g s", timeout);
		out->message = strdup(ebuf);
	} else if (sr.end != KMIN_SPAWN_EXITED || sr.code) {
		out->message = kmin_cluster_log_reason(log);
		if (!out->message) {
			snprintf(ebuf, sizeof(ebuf), "the test compile %s %d",
				 sr.end == KMIN_SPAWN_EXITED ? "exited with status" : "died of signal",
				 sr.code);
			out->message = strdup(ebuf);
		}
	} else if (kmin_elf_comment(&out->comment, obj, ebuf, sizeof(ebuf))) {
		out->message = strdup(ebuf);
	} else {
		out->ok = true;
	}
	if (wrapper && !strcmp(wrapper, "icecc"))
		out->host = icecc_host(log);
	unlink(obj);
	unlink(log);
	return 0;
}
