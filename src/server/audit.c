/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit writer, the chain's hash and its verification (audit.h).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "audit.h"
#include "crypto/ids.h"
#include "error.h"
#include "log.h"

#define GENESIS_LABEL "sesame audit genesis v1"
#define EVENT_LABEL   "sesame audit event v1"

#define SPARE_MAX   1024 /* queue nodes kept for reuse */
#define ID_TIME_LEN 9	 /* id characters that hold the time (ms, base 36) */

struct pending {
	struct audit_row row;
	audit_done_fn done;
	void *arg;
	struct pending *next;
};

struct audit {
	struct store *st;
	char server_id[STORE_ID_SIZE];
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct pending *head, *tail;
	size_t queued;
	bool stop;
	struct pending *spare; /* nodes to reuse: no malloc per event under load */
	size_t nspare;
	size_t flushed;		/* writer only: rows of the batch already inserted */
	struct audit_row *rows; /* writer only: the batch, AUDIT_BATCH_MAX rows */
	unsigned char rnd[256]; /* writer only: random bytes for event ids */
	_Atomic int want_full;  /* audit_set_sync(): wanted durability */
	int applied_full;       /* writer only: durability set on its connection, -1 none */
	size_t rnd_pos;
};

/* ---- the chain ---- */

void audit_genesis(unsigned char out[AUDIT_HASH_BYTES], const char *server_id,
		   const char *account_id)
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, AUDIT_HASH_BYTES);
	crypto_generichash_update(&h, (const unsigned char *)GENESIS_LABEL, sizeof GENESIS_LABEL);
	crypto_generichash_update(&h, (const unsigned char *)server_id, strlen(server_id));
	crypto_generichash_update(&h, (const unsigned char *)"", 1);
	crypto_generichash_update(&h, (const unsigned char *)account_id, strlen(account_id));
	crypto_generichash_final(&h, out, AUDIT_HASH_BYTES);
}

static void put_u64(crypto_generichash_state *h, uint64_t v)
{
	unsigned char b[8];
	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = (unsigned char)v;
	crypto_generichash_update(h, b, sizeof b);
}

/* A string as its length (8 bytes, big-endian) and its bytes: no two encodings collide. */
static void put_str(crypto_generichash_state *h, const char *s)
{
	size_t n = strlen(s);
	put_u64(h, n);
	crypto_generichash_update(h, (const unsigned char *)s, n);
}

void audit_hash(unsigned char out[AUDIT_HASH_BYTES], const struct audit_row *r)
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, AUDIT_HASH_BYTES);
	crypto_generichash_update(&h, (const unsigned char *)EVENT_LABEL, sizeof EVENT_LABEL);
	crypto_generichash_update(&h, r->prev_hash, AUDIT_HASH_BYTES);
	put_str(&h, r->id);
	put_u64(&h, (uint64_t)r->time);
	put_str(&h, r->account_id);
	put_str(&h, r->actor_id);
	put_str(&h, r->actor_type);
	put_str(&h, r->action);
	put_str(&h, r->vault_id);
	put_str(&h, r->item_id);
	put_u64(&h, (uint64_t)(int64_t)r->status);
	put_str(&h, r->client);
	put_str(&h, r->integration_name);
	put_str(&h, r->integration_version);
	crypto_generichash_final(&h, out, AUDIT_HASH_BYTES);
}

struct verify_ctx {
	struct audit_verify_result *out;
	unsigned char prev[AUDIT_HASH_BYTES];
	long long last_seq;
	bool done;
};

static int verify_one(void *ctx, const struct audit_row *row)
{
	struct verify_ctx *v = ctx;
	unsigned char h[AUDIT_HASH_BYTES];

	v->last_seq = row->seq;
	if (v->done)
		return 0;
	if (sodium_memcmp(row->prev_hash, v->prev, AUDIT_HASH_BYTES) != 0) {
		snprintf(v->out->reason, sizeof v->out->reason,
			 "event does not link to the one before it (an event was removed, "
			 "inserted or reordered)");
	} else {
		audit_hash(h, row);
		if (sodium_memcmp(h, row->hash, AUDIT_HASH_BYTES) != 0)
			snprintf(v->out->reason, sizeof v->out->reason,
				 "event content does not match its hash (it was edited)");
		else {
			memcpy(v->prev, row->hash, AUDIT_HASH_BYTES);
			v->out->events++;
			return 0;
		}
	}
	v->done = true;
	v->out->ok = false;
	snprintf(v->out->broken_id, sizeof v->out->broken_id, "%s", row->id);
	v->out->broken_seq = row->seq;
	return 0;
}

int audit_verify(struct store *st, const char *account_id, struct audit_verify_result *out)
{
	struct verify_ctx v = {.out = out};
	char server_id[STORE_ID_SIZE];
	int rc;

	memset(out, 0, sizeof *out);
	out->ok = true;
	rc = store_call(st, server_id, server_id);
	if (rc)
		return rc;
	audit_genesis(v.prev, server_id, account_id);
	for (;;) {
		struct audit_query q = {
			.account_id = account_id, .after_seq = v.last_seq, .limit = 1000};
		long long before = v.last_seq;
		rc = store_call(st, audit_list, &q, verify_one, &v);
		if (rc)
			return rc;
		if (v.done || v.last_seq == before)
			break;
	}
	memcpy(out->head, v.prev, AUDIT_HASH_BYTES);
	return 0;
}

/* ---- the writer ---- */

/* A uniform character of [a-z0-9] from the writer's pool of random bytes. */
static char random_char(struct audit *a)
{
	for (;;) {
		if (a->rnd_pos == sizeof a->rnd) {
			randombytes_buf(a->rnd, sizeof a->rnd);
			a->rnd_pos = 0;
		}
		unsigned char b = a->rnd[a->rnd_pos++];
		if (b < 252) /* 7 * 36: no modulo bias */
			return ID_ALPHABET[b % ID_ALPHABET_SIZE];
	}
}

/*
 * An event id: the time in milliseconds (ID_TIME_LEN base-36 digits, in
 * ASCII order), then 17 random characters (88 bits). Ids made one after
 * the other sort together, so the unique index on id grows at its end
 * like the others instead of dirtying one random page per event; and one
 * getrandom() serves a dozen events instead of 26 per event.
 */
static void event_id(struct audit *a, char out[STORE_ID_SIZE])
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	struct timespec ts;
	unsigned long long ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (unsigned long long)ts.tv_sec * 1000u + (unsigned long long)ts.tv_nsec / 1000000u;
	for (int i = ID_TIME_LEN - 1; i >= 0; i--, ms /= 36)
		out[i] = digits[ms % 36];
	for (int i = ID_TIME_LEN; i < ID_LEN; i++)
		out[i] = random_char(a);
	out[ID_LEN] = '\0';
}

struct head_cache {
	char account_id[STORE_ID_SIZE];
	unsigned char hash[AUDIT_HASH_BYTES];
};

/* Links and inserts a batch (rows[0..n)) in one transaction: one fsync. */
static int write_batch(struct audit *a, struct audit_row *rows, size_t n)
{
	struct head_cache cache[16];
	size_t ncache = 0, next = 0;
	int rc = store_begin_write(a->st);

	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		struct audit_row *r = &rows[i];
		struct head_cache *hc = NULL;
		for (size_t k = 0; k < ncache; k++)
			if (strcmp(cache[k].account_id, r->account_id) == 0)
				hc = &cache[k];
		if (!hc) {
			bool found;
			/* Read inside the transaction: right with other writers too. */
			hc = &cache[ncache < 16 ? ncache++ : (next++ % 16)];
			snprintf(hc->account_id, sizeof hc->account_id, "%s", r->account_id);
			rc = store_call(a->st, audit_head, r->account_id, hc->hash, &found);
			if (rc)
				break;
			if (!found)
				audit_genesis(hc->hash, a->server_id, r->account_id);
		}
		memcpy(r->prev_hash, hc->hash, AUDIT_HASH_BYTES);
		audit_hash(r->hash, r);
		memcpy(hc->hash, r->hash, AUDIT_HASH_BYTES);
		if (ncache == 16 || i + 1 == n) {
			/*
			 * Insert up to here. With the cache full, the next new
			 * account evicts one whose head is then re-read from
			 * the store, so its rows must be there first.
			 */
			size_t from = a->flushed;
			rc = store_call(a->st, audit_insert, rows + from, i + 1 - from);
			a->flushed = i + 1;
		}
	}
	a->flushed = 0;
	if (rc) {
		store_rollback(a->st);
		return rc;
	}
	return store_commit(a->st);
}

/* Hands nodes back for reuse (the writer, after their callbacks ran). */
static void recycle(struct audit *a, struct pending *list)
{
	struct pending *drop = NULL;

	pthread_mutex_lock(&a->lock);
	while (list) {
		struct pending *p = list;
		list = list->next;
		if (a->nspare < SPARE_MAX) {
			p->next = a->spare;
			a->spare = p;
			a->nspare++;
		} else {
			p->next = drop;
			drop = p;
		}
	}
	pthread_mutex_unlock(&a->lock);
	while (drop) {
		struct pending *p = drop;
		drop = drop->next;
		free(p);
	}
}

/*
 * Classic group commit: at most one transaction in flight. The writer
 * takes everything queued (up to AUDIT_BATCH_MAX), commits it, wakes its
 * waiters, and meanwhile the next batch gathers in the queue; no sleeps,
 * so an idle server commits a lone event at once.
 */
static void *writer(void *arg)
{
	struct audit *a = arg;

	for (;;) {
		pthread_mutex_lock(&a->lock);
		while (!a->head && !a->stop)
			pthread_cond_wait(&a->wake, &a->lock);
		if (!a->head && a->stop) {
			pthread_mutex_unlock(&a->lock);
			break;
		}
		struct pending *list = a->head, *last = a->head;
		size_t n = 1;
		while (last->next && n < AUDIT_BATCH_MAX) {
			last = last->next;
			n++;
		}
		a->head = last->next;
		if (!a->head)
			a->tail = NULL;
		a->queued -= n;
		last->next = NULL;
		pthread_mutex_unlock(&a->lock);

		int want = a->want_full;
		if (want != a->applied_full && store_call(a->st, audit_sync, want) == 0)
			a->applied_full = want;
		size_t k = 0;
		for (struct pending *p = list; p; p = p->next) {
			a->rows[k] = p->row;
			event_id(a, a->rows[k].id);
			k++;
		}
		int rc = write_batch(a, a->rows, n);
		if (rc) {
			const sesame_error *e = sesame_error_last();
			log_error("audit_write_failed", LOG_STR("kind", e->kind),
				  LOG_STR("message", e->message),
				  LOG_INT("events", (long long)n), );
		}
		/* Every waiter of the batch at once, from this thread. */
		for (struct pending *p = list; p; p = p->next)
			p->done(p->arg, rc);
		recycle(a, list);
	}
	return NULL;
}

int audit_open(struct audit **out, struct store *st)
{
	struct audit *a = calloc(1, sizeof *a);
	int rc;

	*out = NULL;
	if (!a)
		return sesame_error_nomem();
	a->st = st;
	a->rnd_pos = sizeof a->rnd; /* empty: filled on first use */
	a->applied_full = -1;
	a->rows = calloc(AUDIT_BATCH_MAX, sizeof *a->rows);
	if (!a->rows) {
		free(a);
		return sesame_error_nomem();
	}
	rc = store_call(st, server_id, a->server_id);
	if (rc) {
		free(a->rows);
		free(a);
		return rc;
	}
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->wake, NULL);
	if (pthread_create(&a->thread, NULL, writer, a) != 0) {
		pthread_cond_destroy(&a->wake);
		pthread_mutex_destroy(&a->lock);
		free(a->rows);
		free(a);
		return sesame_error_set(SESAME_ERROR, NULL, "cannot start the audit writer");
	}
	*out = a;
	return 0;
}

void audit_close(struct audit *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	while (a->spare) {
		struct pending *p = a->spare;
		a->spare = p->next;
		free(p);
	}
	pthread_cond_destroy(&a->wake);
	pthread_mutex_destroy(&a->lock);
	free(a->rows);
	free(a);
}

int audit_submit(struct audit *a, const struct audit_row *row, audit_done_fn done, void *arg)
{
	struct pending *p = NULL;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		if (a->stop || a->queued >= AUDIT_QUEUE_MAX) {
			pthread_mutex_unlock(&a->lock);
			free(p);
			return sesame_error_set(SESAME_EIO, "audit_unavailable",
						"the audit trail cannot take more events now");
		}
		if (p)
			break;
		if (a->spare) {
			p = a->spare;
			a->spare = p->next;
			a->nspare--;
			break;
		}
		/* No spare node: allocate one outside the lock, then check again. */
		pthread_mutex_unlock(&a->lock);
		p = malloc(sizeof *p);
		if (!p)
			return sesame_error_nomem();
		pthread_mutex_lock(&a->lock);
	}
	/* The writer fills id, seq and the hashes. */
	p->row = *row;
	p->done = done;
	p->arg = arg;
	p->next = NULL;
	if (a->tail)
		a->tail->next = p;
	else
		a->head = p;
	a->tail = p;
	a->queued++;
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
	return 0;
}

struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	int rc;
};

static void wake_waiter(void *arg, int rc)
{
	struct waiter *w = arg;
	pthread_mutex_lock(&w->lock);
	w->done = true;
	w->rc = rc;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

int audit_append(struct audit *a, const struct audit_row *row)
{
	struct waiter w = {.done = false};
	int rc;

	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	rc = audit_submit(a, row, wake_waiter, &w);
	if (!rc) {
		pthread_mutex_lock(&w.lock);
		while (!w.done)
			pthread_cond_wait(&w.cond, &w.lock);
		rc = w.rc;
		pthread_mutex_unlock(&w.lock);
	}
	pthread_cond_destroy(&w.cond);
	pthread_mutex_destroy(&w.lock);
	return rc;
}

void audit_set_sync(struct audit *a, bool full)
{
	a->want_full = full;
}
