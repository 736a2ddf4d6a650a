/*
 * search_elf.c - the search oracle's last question: are the required
 * features' functions really in vmlinux?
 *
 * A config can keep CONFIG_USB=y and still lose usbcore's code (a stub
 * header, a broken Kbuild line); features.conf names functions whose
 * presence proves the feature was built (usb_add_hcd, ...).  Called by
 * search.c once per real build of a candidate, on the vmlinux the worker
 * copied into the job's artifacts.  Reads the symbol tables (SHT_SYMTAB)
 * with libelf; a 6.1 tinyconfig vmlinux has ~20,000 symbols: milliseconds.
 */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmin/measure.h"
#include "kmin/search.h"

/* Mark found[i] for every names[i] defined in the symbol table of scn. */
static void scan_symtab(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, const char *const *names,
			size_t n, bool *found)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t count = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;

	for (size_t i = 0; data && i < count; i++) {
		GElf_Sym sym;
		const char *name;

		if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		for (size_t k = 0; name && k < n; k++)
			if (!found[k] && !strcmp(name, names[k]))
				found[k] = true;
	}
}

int kmin_search_elf_check(const char *path, const char *const *names, size_t n,
			  const char **missing, char *err, size_t errlen)
{
	bool *found = calloc(n ? n : 1, sizeof(*found));
	Elf_Scn *scn = NULL;
	Elf *elf;
	int fd;

	*missing = NULL;
	if (!found) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fd = kmin_measure_elf_ready() ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	elf = fd < 0 ? NULL : elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		snprintf(err, errlen, "cannot read the symbols of '%s'", path);
		if (fd >= 0)
			close(fd);
		free(found);
		return -1;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			scan_symtab(elf, scn, &sh, names, n, found);
	}
	for (size_t k = 0; k < n && !*missing; k++)
		if (!found[k])
			*missing = names[k];
	elf_end(elf);
	close(fd);
	free(found);
	return 0;
}
