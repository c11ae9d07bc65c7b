/*
 * pool.c -- a fixed pool of libpq connections: a mutex, a condition
 * variable on CLOCK_MONOTONIC, and a stack of free slots.
 */
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct pool
{
	pthread_mutex_t lock;
	pthread_cond_t freed;
	int			n;
	int			n_free;
	PGconn	  **conns;
	int		   *free_slots;		/* stack of indexes into conns */
};

static void
notice_to_stderr(void *arg, const char *message)
{
	(void) arg;
	(void) message;				/* NOTICEs of the API are not the log's business */
}

static PGconn *
connect_one(const char *dsn)
{
	PGconn	   *c = PQconnectdb(dsn);

	if (PQstatus(c) != CONNECTION_OK)
	{
		fprintf(stderr, "kms-policy-endpoint: connection failed: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, notice_to_stderr, NULL);
	return c;
}

pool *
pool_open(const char *dsn, int n)
{
	pool	   *p = calloc(1, sizeof(pool));
	pthread_condattr_t attr;

	if (!p)
		return NULL;
	p->conns = calloc((size_t) n, sizeof(PGconn *));
	p->free_slots = calloc((size_t) n, sizeof(int));
	if (!p->conns || !p->free_slots)
		return NULL;
	p->n = n;
	for (int i = 0; i < n; i++)
	{
		p->conns[i] = connect_one(dsn);
		if (!p->conns[i])
		{
			for (int j = 0; j < i; j++)
				PQfinish(p->conns[j]);
			free(p->conns);
			free(p->free_slots);
			free(p);
			return NULL;
		}
		p->free_slots[p->n_free++] = i;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&p->freed, &attr);
	pthread_condattr_destroy(&attr);
	return p;
}

PGconn *
pool_acquire(pool *p, int wait_ms)
{
	struct timespec deadline;
	PGconn	   *c = NULL;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += wait_ms / 1000;
	deadline.tv_nsec += (long) (wait_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L)
	{
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}

	pthread_mutex_lock(&p->lock);
	while (p->n_free == 0)
	{
		int			rc = pthread_cond_timedwait(&p->freed, &p->lock, &deadline);

		if (rc == ETIMEDOUT && p->n_free == 0)
		{
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
	}
	c = p->conns[p->free_slots[--p->n_free]];
	pthread_mutex_unlock(&p->lock);

	/* Outside the lock: a reconnect may take a while */
	if (PQstatus(c) != CONNECTION_OK)
	{
		fprintf(stderr, "kms-policy-endpoint: reconnecting a broken pooled connection\n");
		PQreset(c);
	}
	return c;
}

void
pool_release(pool *p, PGconn *c)
{
	if (PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) != PQTRANS_IDLE)
		PQclear(PQexec(c, "ROLLBACK"));

	pthread_mutex_lock(&p->lock);
	for (int i = 0; i < p->n; i++)
		if (p->conns[i] == c)
		{
			p->free_slots[p->n_free++] = i;
			break;
		}
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

void
pool_close(pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->n; i++)
		PQfinish(p->conns[i]);
	free(p->conns);
	free(p->free_slots);
	pthread_cond_destroy(&p->freed);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
