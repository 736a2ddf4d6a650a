/*
 * icecc.c - icecream clusters (include/kmin/icecc.h has the reasons):
 * what the scheduler offers, where the local daemon listens, and the
 * cross compiler's environment tarball.
 *
 * Callers: src/build_opts.c (kmin build, kmin run --icecc: size the pool
 * from the scheduler's slots, pass ICECC_VERSION) and src/cmd_doctor.c.
 * kmin asks the scheduler's text interface for its daemons and slots (one
 * short TCP exchange), looks for the local daemon's socket, and makes the
 * environment once per compiler identity (icecc-create-env, ~8 s and
 * ~16 MB for arm-linux-gnueabi-gcc 12).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <openssl/evp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "kmin/cluster.h"
#include "kmin/error.h"
#include "kmin/file.h"
#include "kmin/icecc.h"
#include "kmin/kernel.h"
#include "kmin/spawn.h"

/* A TCP port: digits only, 1..65534 (the text interface is PORT + 1). */
static int port_number(const char *p, unsigned int *port)
{
	unsigned long v = 0;

	if (!*p)
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (unsigned long)(*p - '0')) > 65534)
			return -1;
	if (*p || v < 1)
		return -1;
	*port = (unsigned int)v;
	return 0;
}


void kmin_icecc_cluster_free(struct kmin_icecc_cluster *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nhosts; i++) {
		free(c->hosts[i].name);
		free(c->hosts[i].address);
		free(c->hosts[i].platform);
	}
	free(c->hosts);
	free(c->scheduler);
	free(c->banner);
	free(c);
}

/* " NAME (ADDRESS:PORT) [PLATFORM] speed=S jobs=N/MAX load=L" into *h. */
static int listcs_line(struct kmin_icecc_host *h, const char *line)
{
	char name[256], where[256], platform[64], *colon;
	unsigned int jobs, max_jobs, port;
	char *end;

	if (sscanf(line, " %255s (%255[^)]) [%63[^]]] speed=%*s jobs=%u/%u", name, where, platform,
		   &jobs, &max_jobs) != 5 ||
	    !(colon = strrchr(where, ':')))
		return -1;
	*colon = '\0';
	errno = 0;
	port = (unsigned int)strtoul(colon + 1, &end, 10);
	if (errno || *end || port > 65535)
		return -1;
	memset(h, 0, sizeof(*h));
	h->name = strdup(name);
	h->address = strdup(where);
	h->platform = strdup(platform);
	h->port = port;
	h->jobs = jobs;
	h->max_jobs = max_jobs;
	return h->name && h->address && h->platform ? 0 : -2;
}

int kmin_icecc_listcs_parse(struct kmin_icecc_cluster *c, const char *text, char *err,
			    size_t errlen)
{
	const char *p = text ? text : "";

	while (*p) {
		size_t n = strcspn(p, "\r\n");
		char line[1024];
		struct kmin_icecc_host *grown;
		int rc;

		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1), p);
		p += n;
		p += strspn(p, "\r\n");
		if (!line[strspn(line, " \t")])
			continue;
		if (!strncmp(line, "200 ", 4))
			break;
		grown = realloc(c->hosts, (c->nhosts + 1) * sizeof(*grown));
		if (!grown)
			return kmin_errf(err, errlen, "out of memory");
		c->hosts = grown;
		rc = listcs_line(&c->hosts[c->nhosts], line);
		if (rc == -2) {
			c->nhosts++;	/* freed with the cluster */
			return kmin_errf(err, errlen, "out of memory");
		}
		if (rc)
			return kmin_errf(err, errlen, "the scheduler listed an unknown line '%s'", line);
		c->nhosts++;
	}
	return 0;
}

unsigned int kmin_icecc_slots(const struct kmin_icecc_cluster *c)
{
	unsigned int n = 0;

	for (size_t i = 0; c && i < c->nhosts; i++)
		if (c->hosts[i].port)
			n += c->hosts[i].max_jobs;
	return n;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A TCP connection to HOST:PORT made before DEADLINE; the fd or -1. */
static int tcp_connect(const char *host, unsigned int port, double deadline)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL, *a;
	char service[16];
	int fd = -1;

	snprintf(service, sizeof(service), "%u", port);
	if (getaddrinfo(host, service, &hints, &ai))
		return -1;
	for (a = ai; a && fd < 0; a = a->ai_next) {
		struct pollfd pfd;
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		double left = deadline - now_seconds();

		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) && errno != EINPROGRESS) {
			close(fd);
			fd = -1;
			continue;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (left <= 0 || poll(&pfd, 1, (int)(left * 1000) + 1) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) || soerr) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	return fd;
}

/*
 * Read from FD into *buf (grown, NUL-terminated) until a line starting
 * with "200 " has arrived, or DEADLINE.  0, or -1 (timeout, EOF, error).
 */
static int read_answer(int fd, char **buf, size_t *len, size_t *cap, double deadline)
{
	for (;;) {
		const char *s = *buf;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		double left = deadline - now_seconds();
		ssize_t got;

		for (const char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
			if (!strncmp(l, "200 ", 4) && strchr(l, '\n'))
				return 0;
		if (*cap - *len < 2048) {
			char *grown = realloc(*buf, *cap + 8192);
			if (!grown)
				return -1;
			*buf = grown;
			*cap += 8192;
		}
		if (left <= 0 || poll(&pfd, 1, (int)(left * 1000) + 1) != 1)
			return -1;
		got = read(fd, *buf + *len, *cap - *len - 1);
		if (got <= 0)
			return -1;
		*len += (size_t)got;
		(*buf)[*len] = '\0';
	}
}

static int send_all(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* "HOST[:PORT]" into HOST (bracketed IPv6 allowed) and *port. */
static int split_scheduler(const char *spec, char *host, size_t hostlen, unsigned int *port)
{
	const char *colon = spec[0] == '[' ? strstr(spec, "]:") : strrchr(spec, ':');
	const char *h = spec, *p;
	size_t n;

	*port = KMIN_ICECC_SCHEDULER_PORT;
	if (colon && spec[0] == '[')
		colon++;
	n = colon ? (size_t)(colon - spec) : strlen(spec);
	if (spec[0] == '[') {
		h++;
		n = strcspn(h, "]");
	}
	if (!n || n >= hostlen)
		return -1;
	snprintf(host, hostlen, "%.*s", (int)n, h);
	if (colon) {
		p = colon + 1;
		if (port_number(p, port))
			return -1;
	}
	return 0;
}

int kmin_icecc_scheduler_query(struct kmin_icecc_cluster **out, const char *scheduler,
			       double timeout, char *err, size_t errlen)
{
	const char *env = getenv("ICECC_SCHEDULER");
	const char *spec = scheduler && *scheduler ? scheduler : env && *env ? env : "127.0.0.1";
	double deadline = now_seconds() + (timeout > 0 ? timeout : 10);
	struct kmin_icecc_cluster *c;
	char host[256], where[300], *buf = NULL, *nl;
	size_t len = 0, cap = 0;
	unsigned int port;
	int fd, rc = -1;

	*out = NULL;
	if (split_scheduler(spec, host, sizeof(host), &port))
		return kmin_errf(err, errlen, "bad icecream scheduler '%s': HOST[:PORT]", spec);
	snprintf(where, sizeof(where), "%s:%u", host, port);
	if ((fd = tcp_connect(host, port + 1, deadline)) < 0)
		return kmin_errf(err, errlen,
				 "no icecream scheduler answers at %s (its text interface, port %u)",
				 where, port + 1);
	if (!(c = calloc(1, sizeof(*c))) || !(c->scheduler = strdup(where))) {
		kmin_errf(err, errlen, "out of memory");
		goto done;
	}
	if (read_answer(fd, &buf, &len, &cap, deadline) || strncmp(buf, "200-", 4)) {
		kmin_errf(err, errlen, "%s does not answer like an icecream scheduler", where);
		goto done;
	}
	nl = strchr(buf, '\n');
	if (!(c->banner = strndup(buf + 4, (size_t)(nl - buf - 4) - (nl[-1] == '\r'))))
		goto done;
	len = 0;
	buf[0] = '\0';
	if (send_all(fd, "listcs\n") || read_answer(fd, &buf, &len, &cap, deadline)) {
		kmin_errf(err, errlen, "the icecream scheduler at %s did not list its daemons", where);
		goto done;
	}
	if (kmin_icecc_listcs_parse(c, buf, err, errlen))
		goto done;
	send_all(fd, "quit\n");
	rc = 0;
done:
	close(fd);
	free(buf);
	if (rc)
		kmin_icecc_cluster_free(c);
	else
		*out = c;
	return rc;
}

/* Whether a daemon accepts connections on the unix socket PATH. */
static bool socket_alive(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;
	bool ok;

	if (strlen(path) >= sizeof(sa.sun_path))
		return false;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ok = !connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return ok;
}

int kmin_icecc_socket(char *buf, size_t len, bool *alive)
{
	const char *test = getenv("ICECC_TEST_SOCKET"), *home = getenv("HOME");
	char cand[3][PATH_MAX];
	size_t n = 0;
	int first = -1;

	*alive = false;
	if (test && *test) {
		snprintf(cand[n++], PATH_MAX, "%s", test);
	} else {
		snprintf(cand[n++], PATH_MAX, "/var/run/icecc/iceccd.socket");
		snprintf(cand[n++], PATH_MAX, "/var/run/iceccd.socket");
		if (home && *home)
			snprintf(cand[n++], PATH_MAX, "%s/.iceccd.socket", home);
	}
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(cand[i], &st) || !S_ISSOCK(st.st_mode))
			continue;
		if (first < 0)
			first = (int)i;
		if (socket_alive(cand[i])) {
			first = (int)i;
			*alive = true;
			break;
		}
	}
	if (first < 0) {
		if (len)
			buf[0] = '\0';
		return 0;
	}
	return (size_t)snprintf(buf, len, "%s", cand[first]) >= len ? -1 : 0;
}

/* PROG (a name in PATH, or a path) as a path into BUF; 0 or -1. */
static int find_program(char *buf, size_t len, const char *prog)
{
	const char *path = getenv("PATH");

	if (strchr(prog, '/'))
		return (size_t)snprintf(buf, len, "%s", prog) >= len || access(buf, X_OK) ? -1 : 0;
	for (path = path && *path ? path : "/usr/bin:/bin"; *path;) {
		const char *colon = strchrnul(path, ':');
		int n = snprintf(buf, len, "%.*s/%s", (int)(colon - path), path, prog);
		if (n > 0 && (size_t)n < len && !access(buf, X_OK))
			return 0;
		path = *colon ? colon + 1 : colon;
	}
	return -1;
}

/* Run ARGV in DIR with LOG as its output; the exit status, or -1. */
static int run_logged(const char *const *argv, const char *dir, const char *log, double timeout)
{
	struct kmin_spawn_options so = { 0 };
	struct kmin_spawn_result sr;
	char err[256];

	unlink(log);
	so.argv = argv;
	so.log_path = log;
	so.cwd = dir;
	so.timeout = timeout;
	so.grace = 1;
	if (kmin_spawn_run(&so, &sr, err, sizeof(err)) || sr.end != KMIN_SPAWN_EXITED)
		return -1;
	return sr.code;
}

/* Add "PATH SIZE MTIME\n" of the file PATH to the digest. */
static void digest_file(EVP_MD_CTX *md, const char *path)
{
	char line[PATH_MAX + 64], real[PATH_MAX];
	struct stat st;

	if (!realpath(path, real) || stat(real, &st))
		snprintf(line, sizeof(line), "%s missing\n", path);
	else
		snprintf(line, sizeof(line), "%s %lld %lld.%09ld\n", real, (long long)st.st_size,
			 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	EVP_DigestUpdate(md, line, strlen(line));
}

/* What `CC ARG` printed (trimmed) into BUF, "" when it failed. */
static void compiler_says(char *buf, size_t len, const char *cc, const char *arg, const char *dir)
{
	char log[PATH_MAX + 32];
	const char *argv[] = { cc, arg, NULL };
	char *text;

	buf[0] = '\0';
	snprintf(log, sizeof(log), "%s/says.log", dir);
	if (run_logged(argv, dir, log, 30) == 0 && (text = kmin_file_read(log, NULL))) {
		snprintf(buf, len, "%s", text);
		buf[strcspn(buf, "\n")] = '\0';
		free(text);
	}
	unlink(log);
}

/* The 16 hex digits naming CC's environment; WORK is a scratch directory. */
static int compiler_identity(char hex[17], const char *cc, const char *work)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char sum[EVP_MAX_MD_SIZE];
	unsigned int sumlen = 0;
	char prog[PATH_MAX], log[PATH_MAX + 32];
	const char *argv[] = { cc, "-v", NULL };
	char *text = NULL;
	int rc = -1;

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		goto done;
	digest_file(md, cc);
	compiler_says(prog, sizeof(prog), cc, "-print-prog-name=cc1", work);
	digest_file(md, prog);
	compiler_says(prog, sizeof(prog), cc, "-print-prog-name=as", work);
	if (!strchr(prog, '/') && find_program(prog, sizeof(prog), prog))
		prog[0] = '\0';
	digest_file(md, prog);
	snprintf(log, sizeof(log), "%s/version.log", work);
	if (run_logged(argv, work, log, 30) != 0 || !(text = kmin_file_read(log, NULL)))
		goto done;
	EVP_DigestUpdate(md, text, strlen(text));
	if (!EVP_DigestFinal_ex(md, sum, &sumlen) || sumlen < 8)
		goto done;
	for (int i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", sum[i]);
	rc = 0;
done:
	unlink(log);
	free(text);
	EVP_MD_CTX_free(md);
	return rc;
}

/* The one *.tar.gz (or other archive) icecc-create-env left in DIR, into BUF. */
static int created_tarball(char *buf, size_t len, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = -1;

	while (d && (e = readdir(d))) {
		if (strstr(e->d_name, ".tar.") || (strlen(e->d_name) > 4 &&
						   !strcmp(e->d_name + strlen(e->d_name) - 4, ".tar"))) {
			rc = (size_t)snprintf(buf, len, "%s/%s", dir, e->d_name) >= len ? -1 : 0;
			break;
		}
	}
	if (d)
		closedir(d);
	return rc;
}

int kmin_icecc_env_ensure(char *buf, size_t len, bool *created, const char *cc, const char *dir,
			  double timeout, char *err, size_t errlen)
{
	char path[PATH_MAX], cxx[PATH_MAX], work[PATH_MAX], log[PATH_MAX + 16], made[PATH_MAX];
	char hex[17], base[128];
	const char *slash;
	size_t n;
	int rc = -1, status;

	*created = false;
	if (find_program(path, sizeof(path), cc))
		return kmin_errf(err, errlen, "cannot find the compiler '%s'", cc);
	if (find_program(made, sizeof(made), "icecc-create-env"))
		return kmin_errf(err, errlen,
				 "cannot run 'icecc-create-env': install the Debian package icecc");
	if (kmin_mkdir_p(dir, 0755) && errno != EEXIST)
		return kmin_errf(err, errlen, "cannot create '%s': %s", dir, strerror(errno));
	if ((size_t)snprintf(work, sizeof(work), "%s/.new-XXXXXX", dir) >= sizeof(work) ||
	    !mkdtemp(work))
		return kmin_errf(err, errlen, "cannot create a directory in '%s': %s", dir,
				 strerror(errno));
	if (compiler_identity(hex, path, work)) {
		kmin_errf(err, errlen, "the compiler '%s' does not say what it is (%s -v)", cc, path);
		goto done;
	}
	slash = strrchr(path, '/');
	snprintf(base, sizeof(base), "%.100s", slash ? slash + 1 : path);
	if ((size_t)snprintf(buf, len, "%s/%s-%s.tar.gz", dir, base, hex) >= len) {
		kmin_errf(err, errlen, "the path of the icecream environment is too long");
		goto done;
	}
	if (!access(buf, R_OK)) {
		rc = 0;
		goto done;
	}
	/* kbuild compiles only C, but icecc-create-env wants a g++ too */
	snprintf(cxx, sizeof(cxx), "%s", path);
	n = strlen(cxx);
	if (n >= 3 && !strcmp(cxx + n - 3, "gcc") && n + 1 < sizeof(cxx)) {
		strcpy(cxx + n - 3, "g++");
		if (access(cxx, X_OK))
			snprintf(cxx, sizeof(cxx), "%s", path);
	}
	snprintf(log, sizeof(log), "%s/create-env.log", work);
	{
		const char *argv[] = { "icecc-create-env", "--gcc", path, cxx, NULL };
		status = run_logged(argv, work, log, timeout);
	}
	if (status != 0 || created_tarball(made, sizeof(made), work)) {
		char *why = kmin_cluster_log_reason(log);
		kmin_errf(err, errlen, "icecc-create-env could not package '%s': %s", path,
			  why ? why : status < 0 ? "it did not finish" : "no archive made");
		free(why);
		goto done;
	}
	if (rename(made, buf)) {
		kmin_errf(err, errlen, "cannot rename '%s' to '%s': %s", made, buf, strerror(errno));
		goto done;
	}
	*created = true;
	rc = 0;
done:
	kmin_cluster_workdir_remove(work);
	if (rc && len)
		buf[0] = '\0';
	return rc;
}

int kmin_icecc_version_value(char *buf, size_t len, const char *tarball,
			     const char *cross_compile)
{
	struct utsname u;
	size_t n = cross_compile ? strlen(cross_compile) : 0;
	int w;

	if (uname(&u))
		snprintf(u.machine, sizeof(u.machine), "x86_64");
	if (n && cross_compile[n - 1] == '-')
		n--;
	if (n)
		w = snprintf(buf, len, "%s:%s=%.*s", u.machine, tarball, (int)n, cross_compile);
	else
		w = snprintf(buf, len, "%s:%s", u.machine, tarball);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}
