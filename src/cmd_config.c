/* cmd_config.c - placeholder. */
