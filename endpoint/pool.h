/*
 * pool.h -- a fixed pool of libpq connections shared by the request threads.
 */
#ifndef POOL_H
#define POOL_H

#include <libpq-fe.h>

typedef struct pool pool;

/* Opens n connections; NULL (and a message on stderr) when one fails. */
pool	   *pool_open(const char *dsn, int n);

/*
 * Takes a free connection, waiting at most wait_ms.  NULL when none became
 * free in time.  A broken connection is reset before it is handed out.
 */
PGconn	   *pool_acquire(pool *p, int wait_ms);

/* Gives a connection back; rolls back a transaction left open. */
void		pool_release(pool *p, PGconn *conn);

void		pool_close(pool *p);

#endif
