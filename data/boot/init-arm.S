/*
 * init-arm.S - kmin's boot probe: the whole of user space for a boot check
 * on an ARM (A32, EABI) kernel with an MMU.  Built by kmin with the cross
 * compiler (-nostdlib -static) and put into the candidate's built-in
 * initramfs as /init (see src/boot.c).
 *
 * It proves that the kernel reached user space in two ways:
 *   1. it writes the marker line KMIN-BOOT-OK to fd 1 (the console the
 *      kernel opened for init, when the config has one);
 *   2. it asks QEMU to exit with status 75 through the semihosting call
 *      SYS_EXIT_EXTENDED (QEMU runs with -semihosting-config
 *      enable=on,userspace=on).  This needs no console, no printk and no
 *      driver of the kernel: a console-less config is judged the same way.
 * Should semihosting be off, it falls back to reboot(POWER_OFF) and then
 * spins.
 */
	.syntax unified
	.arm
	.text
	.global _start
_start:
	mov	r0, #1			@ write(1, marker, len)
	adr	r1, marker
	mov	r2, #(marker_end - marker)
	mov	r7, #4			@ __NR_write
	svc	#0

	mov	r0, #0x20		@ SYS_EXIT_EXTENDED
	adr	r1, exit_block
	svc	#0x123456		@ semihosting trap (A32)

	ldr	r0, =0xfee1dead		@ reboot(MAGIC1, MAGIC2, POWER_OFF)
	ldr	r1, =0x28121969
	ldr	r2, =0x4321fedc
	mov	r7, #88			@ __NR_reboot
	svc	#0
1:	b	1b

	.align	2
exit_block:
	.word	0x20026			@ ADP_Stopped_ApplicationExit
	.word	75			@ exit status kmin looks for
marker:
	.ascii	"KMIN-BOOT-OK\n"
marker_end:
	.align	2
	.ltorg
