/*
 * boot.c - the boot oracle (include/kmin/boot.h): kmin's probe and shim,
 * the boot config, QEMU, and the kernel's Memory: line.
 *
 * Who calls it: the build workers (worker.c) run kmin_boot_run() as a job's
 * last stage when the pool was given boot files; build_opts.c prepares the
 * files once per command.  Workload: one QEMU per booted build, seconds
 * long; preparing is two compiler runs of a few ms.
 *
 * The signal: kmin's /init ends QEMU with exit status 75 through
 * semihosting (QEMU: -semihosting-config enable=on,userspace=on).  QEMU
 * also runs with -no-reboot, so a panic that reboots ends it with 0, and
 * the boot command line says panic=0 (wait forever), so a panicking kernel
 * runs into the timeout.  Only the probe can produce 75: the judgement
 * needs nothing of the kernel but that it execs /init.
 *
 * mps2-an385 (Cortex-M3, no MMU): the probe is a hand-written FLAT binary
 * (data/boot/init-v7m.S), the kernel is arch/arm/boot/Image loaded at
 * vmlinux's entry address with QEMU's generic loader, the DTB at 0x21800000
 * and kmin's shim (data/boot/shim-v7m.S) at 0: its last word, the
 * kernel's entry, is patched from vmlinux's ELF header for each boot.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmin/kernel.h"
#include "kmin/boot.h"
#include "kmin/error.h"
#include "kmin/file.h"
#include "kmin/spawn.h"

/* data/boot/ assembly sources, compiled in by scripts/embed.py (src/meson.build) */
extern const char kmin_boot_init_arm[], kmin_boot_init_v7m[], kmin_boot_shim_v7m[];

static const struct kmin_board boards[] = {
	{ "versatilepb", "versatile-pb.dtb", "ttyAMA0", "128M", true, false,
	  "arch/arm/boot/zImage", 0, 0, { "ARCH_VERSATILE", NULL } },
	{ "mps2-an385", "mps2-an385.dtb", "ttyMPS0", "16M", false, true,
	  "arch/arm/boot/Image", 0x21008000, 0x21800000, { "ARCH_MPS2", "SET_MEM_PARAM", NULL } },
};

const char *kmin_boot_status_name(enum kmin_boot_status status)
{
	switch (status) {
	case KMIN_BOOT_OK: return "ok";
	case KMIN_BOOT_FAILED: return "failed";
	case KMIN_BOOT_TIMEOUT: return "timeout";
	case KMIN_BOOT_CANCELLED: return "cancelled";
	}
	return "?";
}

const struct kmin_board *kmin_board_find(const char *name)
{
	for (size_t i = 0; i < sizeof(boards) / sizeof(boards[0]); i++)
		if (!strcmp(boards[i].name, name))
			return &boards[i];
	return NULL;
}

const char *kmin_board_names(void)
{
	return "versatilepb, mps2-an385";
}

int kmin_boot_spec_parse(const char *spec, const struct kmin_board **board, char *err,
			 size_t errlen)
{
	const char *name = "versatilepb";

	if (strncmp(spec, "qemu", 4) || (spec[4] && spec[4] != ':'))
		return kmin_errf(err, errlen, "--boot takes qemu or qemu:MACHINE, not '%s'", spec);
	if (spec[4] == ':')
		name = spec + 5;
	*board = kmin_board_find(name);
	if (!*board)
		return kmin_errf(err, errlen, "unknown QEMU machine '%s'; kmin boots %s", name,
				 kmin_board_names());
	return 0;
}

/* ---- the Memory: line ---- */

/* Parse "<N>K <word...>" at *p: the number, advancing past "K " and the words up to ',' or ')'. */
static int memory_field(const char **p, const char *name, int64_t *out)
{
	char *end;
	long long v;
	size_t n = strlen(name);

	while (**p == ' ')
		(*p)++;
	if (**p < '0' || **p > '9')
		return -1;
	v = strtoll(*p, &end, 10);
	if (*end != 'K' || end[1] != ' ' || strncmp(end + 2, name, n))
		return -1;
	*p = end + 2 + n;
	if (**p != ',' && **p != ')')
		return -1;
	*out = v;
	return 0;
}

static int parse_memory_line(const char *p, struct kmin_boot_memory *m)
{
	static const char *const names[] = { "kernel code", "rwdata", "rodata", "init", "bss",
					     "reserved" };
	int64_t *fields[] = { &m->code_k, &m->rwdata_k, &m->rodata_k, &m->init_k, &m->bss_k,
			      &m->reserved_k };
	char *end;

	if (*p < '0' || *p > '9')
		return 0;
	m->available_k = strtoll(p, &end, 10);
	if (*end != 'K' || end[1] != '/' || end[2] < '0' || end[2] > '9')
		return 0;
	m->total_k = strtoll(end + 2, &end, 10);
	if (strncmp(end, "K available (", 13))
		return 0;
	p = end + 13;
	for (size_t i = 0; i < 6; i++) {
		if (memory_field(&p, names[i], fields[i]))
			return 0;
		if (*p == ')' && i < 5)
			return 0;
		p++;
	}
	m->cma_reserved_k = -1;
	if (p[-1] == ',' && memory_field(&p, "cma-reserved", &m->cma_reserved_k))
		m->cma_reserved_k = -1;
	return 1;
}

int kmin_boot_parse_memory(const char *text, struct kmin_boot_memory *out)
{
	for (const char *p = text; (p = strstr(p, "Memory: ")); p += 8) {
		struct kmin_boot_memory m;
		if (parse_memory_line(p + 8, &m)) {
			*out = m;
			return 1;
		}
	}
	return 0;
}

/* ---- preparing the probe and the shim ---- */

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vasprintf(&s, f, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

static int spit(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

/*
 * Move TMP onto PATH unless PATH already holds the same bytes (then TMP is
 * removed): an unchanged probe keeps its mtime, so the kernel's initramfs
 * is not regenerated.  0 or -1.
 */
static int replace_if_changed(const char *tmp, const char *path, int mode)
{
	size_t a = 0, b = 0;
	char *x = kmin_file_read(tmp, &a), *y = kmin_file_read(path, &b);
	int same = x && y && a == b && !memcmp(x, y, a);

	free(x);
	free(y);
	if (same)
		return unlink(tmp);
	if (chmod(tmp, (mode_t)mode))
		return -1;
	return rename(tmp, path);
}

static int run_tool(const char *const *argv, const char *log, char *err, size_t errlen)
{
	struct kmin_spawn_options so = { 0 };
	struct kmin_spawn_result sr;

	so.argv = argv;
	so.log_path = log;
	so.timeout = 60;
	if (kmin_spawn_run(&so, &sr, err, errlen))
		return -1;
	if (sr.end != KMIN_SPAWN_EXITED || sr.code != 0)
		return kmin_errf(err, errlen, "'%s' failed building kmin's boot files (see '%s')",
				 argv[0], log);
	return 0;
}

/* Assemble SRC into the ELF OUT; for a raw binary, objcopy into RAW too. */
static int assemble(const char *cross, const char *src, const char *out, const char *raw,
		    const char *const *extra, const char *log, char *err, size_t errlen)
{
	char *cc = fmt("%sgcc", cross), *objcopy = fmt("%sobjcopy", cross);
	const char *argv[24];
	size_t k = 0;
	int rc = -1;

	if (!cc || !objcopy) {
		kmin_errf(err, errlen, "out of memory");
		goto done;
	}
	argv[k++] = cc;
	argv[k++] = "-nostdlib";
	argv[k++] = "-static";
	argv[k++] = "-Wl,--build-id=none";
	for (; extra && *extra && k < 18; extra++)
		argv[k++] = *extra;
	argv[k++] = "-o";
	argv[k++] = out;
	argv[k++] = src;
	argv[k] = NULL;
	if (run_tool(argv, log, err, errlen))
		goto done;
	rc = 0;
	if (raw) {
		const char *oc[] = { objcopy, "-O", "binary", out, raw, NULL };
		rc = run_tool(oc, log, err, errlen);
	}
done:
	free(cc);
	free(objcopy);
	return rc;
}

void kmin_boot_files_clear(struct kmin_boot_files *f)
{
	free(f->dir);
	free(f->init);
	free(f->initramfs_list);
	free(f->shim);
	memset(f, 0, sizeof(*f));
}

/* Write kmin's source TEXT as DIR/NAME (kept when unchanged); the path, or NULL. */
static char *write_source(const char *dir, const char *name, const char *text)
{
	char *path = fmt("%s/%s", dir, name), *tmp = fmt("%s/%s.tmp", dir, name);

	if (!path || !tmp || spit(tmp, text, strlen(text)) || replace_if_changed(tmp, path, 0644)) {
		free(path);
		path = NULL;
	}
	free(tmp);
	return path;
}

static int prepare_files(struct kmin_boot_files *f, const char *cross, char *err, size_t errlen)
{
	static const char *const m_flags[] = { "-mcpu=cortex-m3", "-mthumb", "-Wl,-Ttext=0",
					       "-Wl,-e,_start", NULL };
	const struct kmin_board *b = f->board;
	char *src = NULL, *elf = NULL, *tmp = NULL, *log = NULL, *list = NULL, *ltmp = NULL;
	char dtbsym[64], entsym[64];
	int rc = -1;

	log = fmt("%s/prepare.log", f->dir);
	elf = fmt("%s/init.elf", f->dir);
	tmp = fmt("%s/init.tmp", f->dir);
	f->init = fmt("%s/init", f->dir);
	src = b->mmu ? write_source(f->dir, "init-arm.S", kmin_boot_init_arm) :
		       write_source(f->dir, "init-v7m.S", kmin_boot_init_v7m);
	f->initramfs_list = fmt("%s/initramfs.list", f->dir);
	if (!log || !elf || !tmp || !f->init || !src || !f->initramfs_list) {
		kmin_errf(err, errlen, "out of memory");
		goto done;
	}
	unlink(log);
	if (b->mmu ? assemble(cross, src, tmp, NULL, NULL, log, err, errlen) :
		     assemble(cross, src, elf, tmp, m_flags, log, err, errlen))
		goto done;
	if (replace_if_changed(tmp, f->init, 0755)) {
		kmin_errf(err, errlen, "cannot write '%s': %s", f->init, strerror(errno));
		goto done;
	}
	list = fmt("dir /dev 0755 0 0\nnod /dev/console 0600 0 0 c 5 1\nfile /init %s 0755 0 0\n",
		   f->init);
	ltmp = fmt("%s.tmp", f->initramfs_list);
	if (!list || !ltmp || spit(ltmp, list, strlen(list)) ||
	    replace_if_changed(ltmp, f->initramfs_list, 0644)) {
		kmin_errf(err, errlen, "cannot write '%s': %s", f->initramfs_list, strerror(errno));
		goto done;
	}
	if (b->shim) {
		const char *flags[] = { "-mcpu=cortex-m3", "-mthumb", "-Wl,-Ttext=0", "-Wl,-e,0",
					dtbsym, entsym, NULL };
		free(src);
		src = write_source(f->dir, "shim-v7m.S", kmin_boot_shim_v7m);
		f->shim = fmt("%s/shim.bin", f->dir);
		snprintf(dtbsym, sizeof(dtbsym), "-Wl,--defsym=KMIN_DTB_ADDR=0x%" PRIx32, b->dtb_addr);
		snprintf(entsym, sizeof(entsym), "-Wl,--defsym=KMIN_KERNEL_ENTRY=0x%" PRIx32,
			 b->kernel_addr | 1);
		free(elf);
		elf = fmt("%s/shim.elf", f->dir);
		if (!src || !f->shim || !elf) {
			kmin_errf(err, errlen, "out of memory");
			goto done;
		}
		if (assemble(cross, src, elf, f->shim, flags, log, err, errlen))
			goto done;
	}
	rc = 0;
done:
	free(src);
	free(elf);
	free(tmp);
	free(log);
	free(list);
	free(ltmp);
	return rc;
}

int kmin_boot_prepare(struct kmin_boot_files *out, const struct kmin_board *board,
		      const char *cross_compile, const char *dir,
		      char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->board = board;
	out->dir = strdup(dir);
	if (!out->dir)
		return kmin_errf(err, errlen, "out of memory");
	if (kmin_mkdir_p(dir, 0755)) {
		kmin_errf(err, errlen, "cannot create '%s': %s", dir, strerror(errno));
		kmin_boot_files_clear(out);
		return -1;
	}
	if (prepare_files(out, cross_compile, err, errlen)) {
		kmin_boot_files_clear(out);
		return -1;
	}
	return 0;
}

/* Whether TEXT (LEN bytes) has the line LINE. */
static bool has_line(const char *text, size_t len, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text, *end = text + len; p && p + n <= end;) {
		if (!strncmp(p, line, n) && (p + n == end || p[n] == '\n'))
			return true;
		p = memchr(p, '\n', (size_t)(end - p));
		p = p ? p + 1 : NULL;
	}
	return false;
}

/*
 * A config that had no initrd support gets none of the decompressors that
 * BLK_DEV_INITRD would bring with their defaults (RD_GZIP, RD_XZ...: the
 * probe's initramfs is not compressed), so the boot config grows by the
 * initramfs code only; one that had it keeps its own choices.
 */
static const char no_decompressors[] =
	"# CONFIG_RD_GZIP is not set\n# CONFIG_RD_BZIP2 is not set\n"
	"# CONFIG_RD_LZMA is not set\n# CONFIG_RD_XZ is not set\n"
	"# CONFIG_RD_LZO is not set\n# CONFIG_RD_LZ4 is not set\n"
	"# CONFIG_RD_ZSTD is not set\n";

char *kmin_boot_config(const char *config, size_t len, const struct kmin_boot_files *f,
		       size_t *out_len)
{
	const char *nl = len && config[len - 1] != '\n' ? "\n" : "";
	bool initrd = has_line(config, len, "CONFIG_BLK_DEV_INITRD=y");
	char *s = fmt("%.*s%s# kmin boot: a built-in initramfs with kmin's probe as /init\n"
		      "CONFIG_BLK_DEV_INITRD=y\n%sCONFIG_INITRAMFS_SOURCE=\"%s\"\n%s",
		      (int)len, config, nl, initrd ? "" : no_decompressors, f->initramfs_list,
		      f->board->mmu ? "CONFIG_BINFMT_ELF=y\nCONFIG_AEABI=y\n" :
				      "CONFIG_BINFMT_FLAT=y\n");

	if (s && out_len)
		*out_len = strlen(s);
	return s;
}

/* ---- booting ---- */

/* The first existing of O/arch/arm/boot/dts/NAME and .../dts/arm/NAME (6.12). */
static char *find_dtb(const char *objdir, const char *name)
{
	static const char *const dirs[] = { "arch/arm/boot/dts", "arch/arm/boot/dts/arm" };

	for (size_t i = 0; i < 2; i++) {
		char *p = fmt("%s/%s/%s", objdir, dirs[i], name);
		if (!p || !access(p, R_OK))
			return p;
		free(p);
	}
	return NULL;
}

/* e_entry of O/vmlinux (32-bit little-endian ELF): 0 when unreadable. */
static uint32_t vmlinux_entry(const char *objdir)
{
	char *p = fmt("%s/vmlinux", objdir);
	unsigned char h[28];
	int fd = p ? open(p, O_RDONLY | O_CLOEXEC) : -1;
	uint32_t e = 0;

	free(p);
	if (fd < 0)
		return 0;
	if (read(fd, h, sizeof(h)) == (ssize_t)sizeof(h) && !memcmp(h, "\177ELF", 4) && h[4] == 1 &&
	    h[5] == 1)
		e = (uint32_t)h[24] | (uint32_t)h[25] << 8 | (uint32_t)h[26] << 16 |
		    (uint32_t)h[27] << 24;
	close(fd);
	return e;
}

/* O/kmin-shim.bin: the shim with its last word (the kernel's entry) set to ENTRY. */
static char *write_shim(const struct kmin_boot_options *o, uint32_t entry, char *err,
			size_t errlen)
{
	size_t len = 0;
	char *bin = kmin_file_read(o->files->shim, &len), *path = fmt("%s/kmin-shim.bin", o->objdir);

	if (!bin || !path || len < 8) {
		kmin_errf(err, errlen, "cannot read the boot shim '%s'", o->files->shim);
		goto fail;
	}
	for (int i = 0; i < 4; i++)
		bin[len - 4 + (size_t)i] = (char)(entry >> (8 * i));
	if (spit(path, bin, len)) {
		kmin_errf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
		goto fail;
	}
	free(bin);
	return path;
fail:
	free(bin);
	free(path);
	return NULL;
}

/* Judge how QEMU ended and what the console showed. */
static void judge(const struct kmin_spawn_result *sr, double timeout, const char *log,
		  struct kmin_boot_result *res)
{
	char *text = kmin_file_read(log, NULL);
	const char *panic = text ? strstr(text, "Kernel panic") : NULL;

	res->seconds = sr->seconds;
	res->exit_code = sr->end == KMIN_SPAWN_EXITED ? sr->code : -1;
	if (sr->end == KMIN_SPAWN_EXITED && sr->code == KMIN_BOOT_EXIT_OK)
		res->status = KMIN_BOOT_OK;
	else if (sr->end == KMIN_SPAWN_TIMEOUT)
		res->status = KMIN_BOOT_TIMEOUT;
	else if (sr->end == KMIN_SPAWN_CANCELLED)
		res->status = KMIN_BOOT_CANCELLED;
	else
		res->status = KMIN_BOOT_FAILED;
	if (text) {
		res->marker = strstr(text, KMIN_BOOT_MARKER "\n") != NULL;
		res->has_memory = kmin_boot_parse_memory(text, &res->memory) == 1;
	}
	if (res->status == KMIN_BOOT_OK)
		res->message[0] = '\0';
	else if (panic)
		snprintf(res->message, sizeof(res->message), "%.*s", (int)strcspn(panic, "\r\n"), panic);
	else if (res->status == KMIN_BOOT_TIMEOUT)
		snprintf(res->message, sizeof(res->message), "no user space within %g s",
			 timeout);
	else if (sr->end == KMIN_SPAWN_EXITED)
		snprintf(res->message, sizeof(res->message), "qemu exited with status %d", sr->code);
	else
		snprintf(res->message, sizeof(res->message), "qemu killed by signal %d", sr->code);
	free(text);
}

int kmin_boot_run(const struct kmin_boot_options *o, struct kmin_boot_result *res, char *err,
		  size_t errlen)
{
	const struct kmin_board *b = o->files->board;
	char *kernel = fmt("%s/%s", o->objdir, b->kernel), *dtb = find_dtb(o->objdir, b->dtb);
	char *shim = NULL, *append = NULL, *l_shim = NULL, *l_kernel = NULL, *l_dtb = NULL;
	const char *argv[40];
	struct kmin_spawn_options so = { 0 };
	struct kmin_spawn_result sr;
	size_t k = 0;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (!kernel || access(kernel, R_OK)) {
		kmin_errf(err, errlen, "no kernel image '%s' to boot", kernel ? kernel : b->kernel);
		goto done;
	}
	if (!dtb) {
		kmin_errf(err, errlen, "no device tree '%s' under '%s/arch/arm/boot/dts'", b->dtb,
			  o->objdir);
		goto done;
	}
	argv[k++] = o->qemu ? o->qemu : "qemu-system-arm";
	argv[k++] = "-M";
	argv[k++] = b->name;
	argv[k++] = "-m";
	argv[k++] = b->memory;
	argv[k++] = "-display";
	argv[k++] = "none";
	argv[k++] = "-monitor";
	argv[k++] = "none";
	argv[k++] = "-serial";
	argv[k++] = "stdio";
	argv[k++] = "-no-reboot";
	argv[k++] = "-semihosting-config";
	argv[k++] = "enable=on,userspace=on";
	if (b->shim) {
		uint32_t entry = vmlinux_entry(o->objdir);
		if (!entry) {
			kmin_errf(err, errlen, "cannot read the entry address of '%s/vmlinux'", o->objdir);
			goto done;
		}
		shim = write_shim(o, entry | 1, err, errlen);
		l_shim = shim ? fmt("loader,file=%s,addr=0", shim) : NULL;
		l_kernel = fmt("loader,file=%s,addr=0x%" PRIx32, kernel, entry & ~(uint32_t)1);
		l_dtb = fmt("loader,file=%s,addr=0x%" PRIx32, dtb, b->dtb_addr);
		if (!l_shim || !l_kernel || !l_dtb) {
			if (shim)
				kmin_errf(err, errlen, "out of memory");
			goto done;
		}
		argv[k++] = "-device";
		argv[k++] = l_shim;
		argv[k++] = "-device";
		argv[k++] = l_kernel;
		argv[k++] = "-device";
		argv[k++] = l_dtb;
	} else {
		append = fmt("console=%s panic=0", b->console);
		if (!append) {
			kmin_errf(err, errlen, "out of memory");
			goto done;
		}
		argv[k++] = "-kernel";
		argv[k++] = kernel;
		argv[k++] = "-dtb";
		argv[k++] = dtb;
		argv[k++] = "-append";
		argv[k++] = append;
	}
	argv[k] = NULL;
	if (o->log_path)
		unlink(o->log_path);
	so.argv = argv;
	so.log_path = o->log_path;
	so.timeout = o->timeout > 0 ? o->timeout : 60;
	so.grace = 1;
	so.trampoline = o->trampoline;
	so.cancel = o->cancel;
	if (kmin_spawn_run(&so, &sr, err, errlen))
		goto done;
	judge(&sr, so.timeout, o->log_path ? o->log_path : "/dev/null", res);
	rc = 0;
done:
	free(kernel);
	free(dtb);
	free(shim);
	free(append);
	free(l_shim);
	free(l_kernel);
	free(l_dtb);
	return rc;
}
