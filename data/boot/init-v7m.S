/*
 * init-v7m.S - kmin's boot probe for Cortex-M (ARMv7-M, no MMU) kernels: a
 * FLAT (bFLT version 4) executable written by hand, so that no elf2flt is
 * needed.  Assembled with the cross compiler and turned into a raw file
 * with objcopy -O binary (src/boot.c); the 64-byte header below is the
 * whole of the format: everything is text, no data, no relocations,
 * loaded into RAM (FLAT_FLAG_RAM).
 *
 * Like init-arm.S: write KMIN-BOOT-OK to fd 1, then semihosting
 * SYS_EXIT_EXTENDED (bkpt 0xab on M-profile) asking QEMU to exit with 75,
 * then reboot(POWER_OFF) and spin should semihosting be off.
 */
	.syntax unified
	.thumb
	.text
	.global _start
hdr:
	.ascii	"bFLT"
	.word	0x04000000		@ rev 4 (all header words big-endian)
	.word	0x41000000		@ entry: 0x40 | 1 (Thumb), from the start of the file
	.word	((end - hdr) >> 24 & 0xff) | ((end - hdr) >> 8 & 0xff00) | (((end - hdr) & 0xff00) << 8) | (((end - hdr) & 0xff) << 24)	@ data_start
	.word	((end - hdr) >> 24 & 0xff) | ((end - hdr) >> 8 & 0xff00) | (((end - hdr) & 0xff00) << 8) | (((end - hdr) & 0xff) << 24)	@ data_end
	.word	((end - hdr) >> 24 & 0xff) | ((end - hdr) >> 8 & 0xff00) | (((end - hdr) & 0xff00) << 8) | (((end - hdr) & 0xff) << 24)	@ bss_end
	.word	0x00100000		@ stack_size 4096
	.word	((end - hdr) >> 24 & 0xff) | ((end - hdr) >> 8 & 0xff00) | (((end - hdr) & 0xff00) << 8) | (((end - hdr) & 0xff) << 24)	@ reloc_start
	.word	0			@ reloc_count
	.word	0x01000000		@ flags: FLAT_FLAG_RAM
	.word	0			@ build_date
	.word	0, 0, 0, 0, 0		@ filler
	.thumb_func
_start:
	movs	r0, #1			@ write(1, marker, len)
	adr	r1, marker
	movs	r2, #(marker_end - marker)
	movs	r7, #4
	svc	#0
	movs	r0, #0x20		@ SYS_EXIT_EXTENDED
	adr	r1, exit_block
	bkpt	#0xab			@ semihosting trap (M-profile)
	ldr	r0, =0xfee1dead
	ldr	r1, =0x28121969
	ldr	r2, =0x4321fedc
	movs	r7, #88
	svc	#0
1:	b	1b
	.align	2
exit_block:
	.word	0x20026
	.word	75
marker:
	.ascii	"KMIN-BOOT-OK\n"
marker_end:
	.align	2
	.ltorg
	.align	4
end:
