/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_SERVER_AUDIT_H
#define SESAME_SERVER_AUDIT_H

/*
 * The audit trail (DESIGN.md section 8, docs/internals/server.md "Audit"):
 * one event per authenticated request, written before the response goes
 * out. Events are hash-chained per account: each holds BLAKE2b-256 of the
 * previous event's hash and its own canonical encoding, the first links to
 * a genesis value derived from the database's server id and the account.
 *
 * Group commit: requests hand their event to one writer thread and wait;
 * the writer takes everything queued, links and inserts it in one write
 * transaction (one fsync), then wakes every waiter. Under load, batches
 * grow, so auditing costs about one fsync per batch rather than per
 * request.
 */

#include <stdbool.h>

#include "store.h"

#define AUDIT_QUEUE_MAX	 65536 /* events waiting for the writer; beyond: 503 */
#define AUDIT_BATCH_MAX	 4096  /* events in one transaction */
#define AUDIT_HASH_BYTES 32

struct audit;

/* Starts the writer thread. The store must outlive the audit. */
int audit_open(struct audit **out, struct store *st);

/*
 * Durability of audit commits from the next batch on: false (the default)
 * writes each batch to the WAL before answering; true also fsyncs it.
 */
void audit_set_sync(struct audit *a, bool full);
/* Writes what is queued, stops the writer. NULL is fine. */
void audit_close(struct audit *a);

/* Called from the writer thread once the event is durable (rc 0) or failed. */
typedef void (*audit_done_fn)(void *arg, int rc);

/*
 * Queues an event (row->id, seq and hashes are filled by the writer).
 * Returns 0 when done() will be called, or a negative error (queue full,
 * stopping) when it will not.
 */
int audit_submit(struct audit *a, const struct audit_row *row, audit_done_fn done, void *arg);
/* audit_submit and wait: 0 once the event is durable. */
int audit_append(struct audit *a, const struct audit_row *row);

/* The chain's first link for an account. */
void audit_genesis(unsigned char out[AUDIT_HASH_BYTES], const char *server_id,
		   const char *account_id);
/* BLAKE2b-256 over the label, row->prev_hash and the row's canonical encoding. */
void audit_hash(unsigned char out[AUDIT_HASH_BYTES], const struct audit_row *row);

struct audit_verify_result {
	bool ok;
	long long events; /* events checked */
	char broken_id[STORE_ID_SIZE];
	long long broken_seq;
	char reason[96];
	unsigned char head[AUDIT_HASH_BYTES]; /* the last good hash */
};

/* Walks an account's chain from the genesis. Returns 0 (see out->ok) or an error. */
int audit_verify(struct store *st, const char *account_id, struct audit_verify_result *out);

#endif
