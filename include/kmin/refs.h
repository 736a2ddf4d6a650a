/*
 * refs.h - which Kconfig symbols the kernel's code refers to.
 *
 * A symbol that no Makefile, C, assembler or linker-script file of the
 * tree names as CONFIG_<SYM> (or CONFIG_<SYM>_MODULE) produces no code on
 * its own: switching it off can only matter through what the Kconfig
 * engine changes with it.  The search uses this to drop moves that would
 * cost a build (often a near-full one: the symbol is in autoconf.h) and
 * cannot save a byte, e.g. EMBEDDED in 6.1, which only selects EXPERT.
 * Names used only by the boot wrapper are told apart: they can change the
 * compressed image but not vmlinux.
 *
 * The index is every CONFIG_ token of the files under the tree, except
 * Documentation/, tools/ (user space) and arch/ directories of other
 * architectures; it is conservative: any mention counts as code.  Reading
 * a 6.1 tree takes seconds to half a minute (cold cache), so the index is
 * kept in a file named by the caller (a kernel identity changes the name)
 * and read back in milliseconds.
 */
#ifndef KMIN_REFS_H
#define KMIN_REFS_H

#include <stdbool.h>
#include <stddef.h>

struct kmin_refs;

/*
 * The index of tree SOURCE for arch/SRCARCH into *out (the caller's,
 * kmin_refs_free()).  CACHE_PATH, when not NULL, is read if it exists,
 * else written after the scan (atomically; a cache that cannot be
 * written is not an error).  0, or -1 with a message in err.
 */
int kmin_refs_load(struct kmin_refs **out, const char *source, const char *srcarch,
		   const char *cache_path, char *err, size_t errlen);

/* Whether SYMBOL (without CONFIG_) is named by the code, as CONFIG_SYMBOL or CONFIG_SYMBOL_MODULE. */
bool kmin_refs_has(const struct kmin_refs *refs, const char *symbol);

/*
 * Whether SYMBOL is named by code that goes into vmlinux: false for names
 * only the boot wrapper uses (arch/<arch>/boot/: the compression of
 * zImage, KERNEL_XZ and friends), which change the image but not vmlinux.
 */
bool kmin_refs_in_vmlinux(const struct kmin_refs *refs, const char *symbol);

/* Symbols in the index. */
size_t kmin_refs_count(const struct kmin_refs *refs);

void kmin_refs_free(struct kmin_refs *refs);

#endif
