/*
 * arena.c - memory, errors and diagnostics of an engine context.
 *
 * A Kconfig tree is parsed once and then lives as long as its context:
 * ~20,000 symbols, properties and expressions on arm.  They are carved out
 * of large blocks and freed all at once with the context, so the rest of
 * the engine never frees individual nodes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define KC_ARENA_BLOCK (256 * 1024)

struct kc_arena_block {
	struct kc_arena_block *next;
	size_t size;			/* usable bytes in data */
	max_align_t data[];
};

/* kc_arena_alloc() when the head block is full: size is already aligned */
void *kc_arena_alloc_block(struct kc_arena *a, size_t size)
{
	size_t bsize = size > KC_ARENA_BLOCK ? size : KC_ARENA_BLOCK;
	struct kc_arena_block *b = malloc(sizeof(*b) + bsize);
	char *p;

	if (!b)
		return NULL;
	b->size = bsize;
	b->next = a->head;
	a->head = b;
	p = (char *)b->data;
	a->used = size;
	a->next = p + size;
	a->limit = p + bsize;
	memset(p, 0, size);
	return p;
}

char *kc_arena_strndup(struct kc_arena *a, const char *s, size_t n)
{
	char *p = kc_arena_alloc(a, n + 1);
	if (p)
		memcpy(p, s, n);
	return p;
}

char *kc_arena_strdup(struct kc_arena *a, const char *s)
{
	return kc_arena_strndup(a, s, strlen(s));
}

void kc_arena_free(struct kc_arena *a)
{
	struct kc_arena_block *b = a->head;
	while (b) {
		struct kc_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used = 0;
	a->next = a->limit = NULL;
}

int kc_error(struct kconfig *kc, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(kc->errmsg, sizeof(kc->errmsg), fmt, ap);
	va_end(ap);
	return code;
}

void kc_diag(struct kconfig *kc, enum kconfig_diag_level level, const char *file,
	     int line, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (!kc->opts.diag)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct kconfig_diag d = { level, file, line, msg };
	kc->opts.diag(kc->opts.diag_payload, &d);
}

const char *kc_getenv(struct kconfig *kc, const char *name)
{
	size_t n = strlen(name);

	if (!kc->opts.env)
		return getenv(name);
	for (const char *const *e = kc->opts.env; *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}
