/*
 * measure.c - text/data/bss of an ELF file exactly as binutils' `size`,
 * and the list of its allocated sections, with libelf.
 *
 * The classification rules and why they are exact are in measure.h.  The
 * file is opened with ELF_C_READ_MMAP; only section headers and the
 * section-name string table are touched, so a 50 MB vmlinux with debug
 * info costs a few page faults.  libelf keeps per-descriptor state only,
 * so this is safe to call from several worker threads at once once
 * elf_version() has been called (done here under a pthread_once).
 *
 * Called by worker.c after each successful build and by tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmin/error.h"
#include "kmin/measure.h"

static pthread_once_t elf_once = PTHREAD_ONCE_INIT;
static int elf_ready;	/* written once under elf_once, then only read */

static void elf_init(void)
{
	elf_ready = elf_version(EV_CURRENT) != EV_NONE;
}

/* Where binutils' Berkeley `size` counts an allocated section. */
static enum kmin_elf_section_kind classify(const GElf_Shdr *sh)
{
	if ((sh->sh_flags & SHF_EXECINSTR) || !(sh->sh_flags & SHF_WRITE))
		return KMIN_SECTION_TEXT;	/* SEC_CODE || SEC_READONLY */
	if (sh->sh_type != SHT_NOBITS)
		return KMIN_SECTION_DATA;	/* SEC_HAS_CONTENTS */
	return KMIN_SECTION_BSS;
}

static int add_section(struct kmin_sizes *out, size_t *cap, const char *name,
		       const GElf_Shdr *sh)
{
	struct kmin_elf_section *s;

	if (out->nsections == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct kmin_elf_section *v = realloc(out->sections, ncap * sizeof(*v));

		if (!v)
			return -1;
		out->sections = v;
		*cap = ncap;
	}
	s = &out->sections[out->nsections];
	s->name = strdup(name ? name : "");
	if (!s->name)
		return -1;
	s->size = sh->sh_size;
	s->flags = sh->sh_flags;
	s->type = sh->sh_type;
	s->kind = classify(sh);
	out->nsections++;
	switch (s->kind) {
	case KMIN_SECTION_TEXT: out->text += s->size; break;
	case KMIN_SECTION_DATA: out->data += s->size; break;
	case KMIN_SECTION_BSS: out->bss += s->size; break;
	}
	return 0;
}

/* Walk the section headers of an open ELF into out. */
static int measure_sections(Elf *elf, const char *path, struct kmin_sizes *out,
			    char *err, size_t errlen)
{
	size_t shnum, shstrndx, cap = 0;
	Elf_Scn *scn = NULL;

	if (elf_kind(elf) != ELF_K_ELF)
		return kmin_errf(err, errlen, "'%s' is not an ELF file", path);
	if (elf_getshdrnum(elf, &shnum) || elf_getshdrstrndx(elf, &shstrndx))
		return kmin_errf(err, errlen, "'%s': bad ELF section headers: %s", path,
			    elf_errmsg(-1));
	if (shnum == 0)
		return kmin_errf(err, errlen, "'%s' has no section headers", path);
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			return kmin_errf(err, errlen, "'%s': bad section header: %s", path,
				    elf_errmsg(-1));
		if (!(sh.sh_flags & SHF_ALLOC))
			continue;
		if (add_section(out, &cap, elf_strptr(elf, shstrndx, sh.sh_name), &sh))
			return kmin_errf(err, errlen, "out of memory");
	}
	return 0;
}

bool kmin_measure_elf_ready(void)
{
	pthread_once(&elf_once, elf_init);
	return elf_ready;
}

int kmin_measure_elf(const char *path, struct kmin_sizes *out, char *err, size_t errlen)
{
	Elf *elf;
	int fd, rc;

	memset(out, 0, sizeof(*out));
	if (!kmin_measure_elf_ready())
		return kmin_errf(err, errlen, "libelf is out of date");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kmin_errf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		rc = kmin_errf(err, errlen, "'%s' is not an ELF file: %s", path, elf_errmsg(-1));
	} else {
		rc = measure_sections(elf, path, out, err, errlen);
		elf_end(elf);
	}
	close(fd);
	if (rc)
		kmin_sizes_release(out);
	return rc;
}

uint64_t kmin_sizes_dec(const struct kmin_sizes *s)
{
	return s->text + s->data + s->bss;
}

void kmin_sizes_release(struct kmin_sizes *s)
{
	for (size_t i = 0; i < s->nsections; i++)
		free(s->sections[i].name);
	free(s->sections);
	memset(s, 0, sizeof(*s));
}

int kmin_measure_file(const char *path, uint64_t *bytes, char *err, size_t errlen)
{
	struct stat st;

	*bytes = 0;
	if (stat(path, &st))
		return kmin_errf(err, errlen, "cannot stat '%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return kmin_errf(err, errlen, "'%s' is not a regular file", path);
	*bytes = (uint64_t)st.st_size;
	return 0;
}
