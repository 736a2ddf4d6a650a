/* kernel.c - placeholder. */
