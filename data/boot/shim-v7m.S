/*
 * shim-v7m.S - kmin's boot shim for Cortex-M boards in QEMU (mps2-an385).
 *
 * An M-profile CPU starts from a vector table at address 0 (initial SP,
 * reset PC); a Linux Image does not begin with one.  This shim is loaded
 * at 0 (-device loader), enables UART0 (the early console spins on a
 * disabled transmitter), and enters the kernel the way the ARM boot
 * protocol asks: r0 = 0, r1 = ~0 (no machine number: DT boot), r2 = the
 * DTB's address.  Where the kernel and the DTB sit is patched in by
 * src/boot.c: the two words at kernel_entry and dtb_addr are given with
 * --defsym when assembling.
 */
	.syntax unified
	.thumb
	.text
vectors:
	.word	0x20010000		@ initial SP: top of the first 64 KiB of SRAM
	.word	reset + 1		@ reset handler (Thumb)
	.thumb_func
reset:
	ldr	r3, =0x40004000		@ UART0
	movs	r0, #16
	str	r0, [r3, #0x10]		@ BAUDDIV
	movs	r0, #3
	str	r0, [r3, #0x08]		@ CTRL: TX | RX enable
	movs	r0, #0
	mov	r1, #0xffffffff
	ldr	r2, =KMIN_DTB_ADDR
	ldr	r3, =KMIN_KERNEL_ENTRY
	bx	r3
	.ltorg
