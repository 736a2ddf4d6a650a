/*
 * measure.h - exact sizes of a built kernel, read with libelf.
 *
 * text, data and bss are what binutils' `size` (Berkeley format, the
 * default) prints for the same file, equal to the byte.  size.c sums, over
 * BFD sections with SEC_ALLOC:
 *   text  if SEC_CODE or SEC_READONLY,
 *   data  else if SEC_HAS_CONTENTS,
 *   bss   otherwise;
 * and BFD's ELF reader (_bfd_elf_make_section_from_shdr) derives those
 * flags from each section header: SEC_ALLOC = SHF_ALLOC, SEC_CODE =
 * SHF_EXECINSTR, SEC_READONLY = !SHF_WRITE, SEC_HAS_CONTENTS = sh_type !=
 * SHT_NOBITS.  So: an allocated section counts as text when it is
 * executable or not writable (even a read-only NOBITS one), as data when
 * writable with contents, as bss when writable NOBITS.  The size is
 * sh_size.  Files without section headers are refused (size would make
 * sections from program headers; kernels always have section headers).
 *
 * Callers: worker.c after a build, tests.  Workload: one vmlinux (a few
 * hundred sections) per build; the file is mapped read-only, nothing is
 * loaded but the section headers and names.
 *
 * Errors: 0 or -1 with a message in the caller's buffer err[errlen].
 */
#ifndef KMIN_MEASURE_H
#define KMIN_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kmin_elf_section_kind {
	KMIN_SECTION_TEXT = 0,
	KMIN_SECTION_DATA = 1,
	KMIN_SECTION_BSS = 2,
};

/* One allocated (SHF_ALLOC) section. */
struct kmin_elf_section {
	char *name;			/* owned by the kmin_sizes */
	uint64_t size;			/* sh_size, bytes */
	uint64_t flags;			/* sh_flags */
	uint32_t type;			/* sh_type */
	enum kmin_elf_section_kind kind;	/* where `size` counts it */
};

struct kmin_sizes {
	uint64_t text, data, bss;	/* as `size` prints them, bytes */
	struct kmin_elf_section *sections;	/* allocated sections in file order */
	size_t nsections;
};

/*
 * Measure the ELF file at path into *out (zeroed first).  On success the
 * caller owns out->sections and frees them with kmin_sizes_release().
 */
int kmin_measure_elf(const char *path, struct kmin_sizes *out, char *err, size_t errlen);

/*
 * Set libelf up, once per process (any thread; elf_version() must precede
 * every other libelf call): false when the library is too old to use.
 */
bool kmin_measure_elf_ready(void);

/* text + data + bss: `size`'s "dec" column. */
uint64_t kmin_sizes_dec(const struct kmin_sizes *s);

/* Free what kmin_measure_elf() allocated in *s and zero it. */
void kmin_sizes_release(struct kmin_sizes *s);

/* Bytes of a regular file (the image); -1 with a message if it is missing. */
int kmin_measure_file(const char *path, uint64_t *bytes, char *err, size_t errlen);

#endif
