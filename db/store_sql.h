/*
 * store_sql.h - the store's SQL, compiled in from db/schema.sql and db/migrations.
 *
 * store_sql.c is generated at build time by db/embed_sql.py (see
 * db/meson.build) from db/schema.sql and db/migrations/NNNN-*.sql.  Only
 * db/store.c and the store's tests use this header.
 */
#ifndef KMIN_STORE_SQL_H
#define KMIN_STORE_SQL_H

struct kmin_store_migration {
	int version;		/* NNNN of the file name: user_version after applying it */
	const char *name;	/* "0001-initial.sql" */
	const char *sql;	/* the whole file */
};

/* db/schema.sql: the current schema, the sum of the migrations. */
extern const char kmin_store_schema_sql[];
/* All migrations, version 1, 2, ... in order. */
extern const struct kmin_store_migration kmin_store_migrations[];
extern const unsigned int kmin_store_migrations_count;

#endif
