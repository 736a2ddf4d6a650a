/*
 * boot.h - the boot oracle: does a built kernel reach user space in QEMU?
 *
 * A kernel that builds is not yet an answer; one that boots is.  For a
 * candidate config kmin builds a *boot config*: the candidate plus
 *
 *     CONFIG_BLK_DEV_INITRD=y
 *     CONFIG_INITRAMFS_SOURCE="<kmin cache>/boot/<board>/initramfs.list"
 *     CONFIG_BINFMT_ELF=y, CONFIG_AEABI=y        (boards with an MMU)
 *     CONFIG_BINFMT_FLAT=y                       (boards without)
 *     # CONFIG_RD_GZIP is not set ... RD_ZSTD     (only when the config had
 *                                                 no BLK_DEV_INITRD=y)
 *
 * (kmin_boot_config()), so the kernel carries a built-in initramfs whose
 * /init is kmin's own probe (data/boot/init-arm.S, assembled by
 * kmin_boot_prepare() with the cross compiler, -nostdlib -static).  The
 * probe writes the marker KMIN-BOOT-OK to its console and then asks QEMU,
 * through the semihosting call SYS_EXIT_EXTENDED, to exit with status 75.
 *
 * The signal that judges a boot is that exit status, not the console: it
 * needs no printk, no serial driver and no reboot driver in the kernel, so
 * a console-less config is judged like any other.  QEMU runs with
 * -no-reboot, so a kernel that panics and reboots ends QEMU with status 0
 * (failed), one that hangs is killed at the timeout (timeout).  The serial
 * output is kept in a log; the kernel's `Memory:` line is parsed from it
 * when the config prints one.
 *
 * Boards (kmin_board_find()): versatilepb (ARM926, zImage + DTB
 * versatile-pb.dtb, console ttyAMA0) and mps2-an385 (Cortex-M3 without
 * MMU: see boot.c for the shim).
 *
 * Nothing here prints or exits; functions that can fail return 0 or -1 with
 * a message in err[errlen].  No global state: the board table is constant.
 */
#ifndef KMIN_BOOT_H
#define KMIN_BOOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The exit status the probe asks QEMU for: anything else is not a boot. */
#define KMIN_BOOT_EXIT_OK 75
/* The line the probe writes to its console. */
#define KMIN_BOOT_MARKER "KMIN-BOOT-OK"

enum kmin_boot_status {
	KMIN_BOOT_OK = 0,	/* the probe ran: user space reached */
	KMIN_BOOT_FAILED,	/* QEMU ended otherwise (panic + reset, QEMU error) */
	KMIN_BOOT_TIMEOUT,	/* still running at the timeout: killed */
	KMIN_BOOT_CANCELLED,	/* the cancel flag was raised */
};

/* "ok", "failed", "timeout", "cancelled". */
const char *kmin_boot_status_name(enum kmin_boot_status status);

struct kmin_board {
	const char *name;	/* as given to --boot qemu:NAME, = QEMU's -M */
	const char *dtb;	/* DTB file name, searched under O=/arch/arm/boot/dts */
	const char *console;	/* console= of the command line */
	const char *memory;	/* QEMU -m */
	bool mmu;		/* the probe is an ELF (else no user space probe: see boot.c) */
	bool shim;		/* an M-profile board: kmin's vector-table shim at 0 */
	const char *kernel;	/* image relative to O= */
	uint32_t kernel_addr;	/* with shim: where the image is loaded (its link address) */
	uint32_t dtb_addr;	/* with shim: where the DTB is loaded */
	/*
	 * Kconfig symbols the board cannot boot without, NULL-terminated: its
	 * platform, and for a board without MMU the memory layout the kernel
	 * is linked for (SET_MEM_PARAM keeps DRAM_BASE where the shim jumps)
	 */
	const char *needs[3];
};

/* The board called NAME, or NULL.  Borrowed from a constant table. */
const struct kmin_board *kmin_board_find(const char *name);
/* The names of all boards, ", "-separated, for messages. */
const char *kmin_board_names(void);

/*
 * Parse "qemu" or "qemu:MACHINE" (--boot's argument) into *board: 0, or -1
 * with a message.  "qemu" alone means versatilepb.
 */
int kmin_boot_spec_parse(const char *spec, const struct kmin_board **board, char *err,
			 size_t errlen);

/* The kernel's `Memory: …K/…K available (…)` line, in KiB as printed. */
struct kmin_boot_memory {
	int64_t available_k, total_k;
	int64_t code_k, rwdata_k, rodata_k, init_k, bss_k, reserved_k;
	int64_t cma_reserved_k;	/* -1 when the line has none */
};

/*
 * Find the first `Memory: ` line in TEXT (a whole console log, NUL
 * terminated; printk time stamps and prefixes before "Memory:" are fine)
 * and parse it: 1 and *out, 0 when there is no well-formed one.
 */
int kmin_boot_parse_memory(const char *text, struct kmin_boot_memory *out);

/* What kmin_boot_prepare() made for a board; paths owned by the struct. */
struct kmin_boot_files {
	const struct kmin_board *board;
	char *dir;		/* <cache>/boot/<board> */
	char *init;		/* the probe, or NULL (board without one) */
	char *initramfs_list;	/* gen_init_cpio list naming the probe, or NULL */
	char *shim;		/* raw shim binary, or NULL (board without one) */
};

/*
 * Assemble the probe (and the shim) for BOARD from kmin's sources
 * (data/boot/ assembly sources, compiled into kmin and written to DIR) with
 * CROSS_COMPILE's gcc into DIR (created), and
 * write the initramfs list.  Done again each call (a few ms); the files
 * change only when the sources do, so kernels rebuild nothing.  0 or -1.
 */
int kmin_boot_prepare(struct kmin_boot_files *out, const struct kmin_board *board,
		      const char *cross_compile, const char *dir,
		      char *err, size_t errlen);
void kmin_boot_files_clear(struct kmin_boot_files *f);

/*
 * The boot config of CONFIG (LEN bytes): CONFIG with the lines above
 * appended (olddefconfig resolves them).  malloc'ed, the caller's; NULL
 * when out of memory.  *out_len gets its length.
 */
char *kmin_boot_config(const char *config, size_t len, const struct kmin_boot_files *f,
		       size_t *out_len);

struct kmin_boot_options {
	const struct kmin_boot_files *files;
	const char *objdir;		/* the build's O= directory */
	const char *log_path;		/* QEMU's console and messages go here */
	double timeout;			/* seconds; <= 0: 60 */
	const char *const *trampoline;	/* spawn.h */
	const atomic_int *cancel;	/* may be NULL */
	const char *qemu;		/* NULL: "qemu-system-arm" */
};

struct kmin_boot_result {
	enum kmin_boot_status status;
	double seconds;			/* QEMU start to its end: the time to init when ok */
	bool marker;			/* the console showed KMIN_BOOT_MARKER */
	bool has_memory;		/* the console showed a Memory: line */
	struct kmin_boot_memory memory;
	int exit_code;			/* QEMU's exit status, -1 when killed */
	char message[256];		/* why, when not ok */
};

/*
 * Boot the kernel in o->objdir: 0 and *res (whatever the kernel did), -1
 * when QEMU could not be run at all (missing image or DTB, no QEMU).
 */
int kmin_boot_run(const struct kmin_boot_options *o, struct kmin_boot_result *res, char *err,
		  size_t errlen);

#endif
