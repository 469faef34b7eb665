/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SDK measurements (bench/sdk drives this against a real sesamed):
 *   1. client creation to first resolved secret (cold = first in process,
 *      warm = again in the same process), median of runs
 *   2. resolve_all of N references vs N sequential resolves
 *   3. RSS of the process holding one client (after the work above)
 *   4. T threads resolving through one client: requests/s for T = 1, 2, 4, 8
 * The credential comes from the environment (SESAME_SESSION or a token).
 * usage: sdk_bench VAULT N ITEM_PREFIX DURATION_MS
 *        sdk_bench VAULT N ITEM_PREFIX DURATION_MS solo K
 * The second form is one process with its own client and one thread
 * resolving reference K % N, printing "solo_resolves_per_s=R": bench/sdk
 * runs eight at once for the server's limit with independent clients,
 * the reference for step 4.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sesame/sesame.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void die(const char *what)
{
	fprintf(stderr, "sdk_bench: %s: %s\n", what, sesame_error_last()->message);
	exit(1);
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			v = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

struct worker {
	sesame_client *c;
	const char *ref;
	double until;
	long done;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	char *v;
	while (now_ms() < w->until) {
		if (sesame_secrets_resolve(&v, w->c, w->ref) != 0)
			die("resolve");
		sesame_free(v);
		w->done++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	sesame_client *c = NULL;
	char **refs, **vals, *v;
	int *codes;
	double t[21];
	size_t n;
	int dur;

	if (argc != 5 && !(argc == 7 && strcmp(argv[5], "solo") == 0))
		return 2;
	n = strtoul(argv[2], NULL, 10);
	dur = (int)strtol(argv[4], NULL, 10);
	refs = calloc(n, sizeof *refs);
	vals = calloc(n, sizeof *vals);
	codes = calloc(n, sizeof *codes);
	for (size_t i = 0; i < n; i++) {
		refs[i] = malloc(256);
		snprintf(refs[i], 256, "op://%s/%s%zu/password", argv[1], argv[3], i);
	}

	if (argc == 7) {
		struct worker w;
		if (sesame_client_new(&c, NULL) != 0)
			die("client");
		w = (struct worker){c, refs[strtoul(argv[6], NULL, 10) % n], now_ms() + dur, 0};
		work(&w);
		printf("solo_resolves_per_s=%.0f\n", w.done * 1000.0 / dur);
		sesame_client_free(c);
		return 0;
	}

	long rss0 = rss_kib();
	/* 1. creation to first secret: first run is cold, the rest warm. */
	for (int r = 0; r < 21; r++) {
		double t0 = now_ms();
		if (sesame_client_new(&c, NULL) != 0)
			die("client");
		if (sesame_secrets_resolve(&v, c, refs[0]) != 0)
			die("resolve");
		t[r] = now_ms() - t0;
		sesame_free(v);
		if (r < 20)
			sesame_client_free(c);
	}
	double cold = t[0];
	qsort(t + 1, 20, sizeof t[0], cmp);
	printf("client_new_to_first_secret_ms cold=%.2f warm_median=%.2f (target < 10)\n", cold,
	       t[10]);

	/* 2. resolve_all vs sequential: the best of 15 rounds of each, interleaved (noisy VMs) */
	double seq = 1e99, batch = 1e99;
	for (int r = 0; r < 15; r++) {
		double t0 = now_ms();
		for (size_t i = 0; i < n; i++) {
			if (sesame_secrets_resolve(&v, c, refs[i]) != 0)
				die("resolve");
			sesame_free(v);
		}
		double t1 = now_ms();
		if (sesame_secrets_resolve_all(vals, codes, c, (const char *const *)refs, n) != 0)
			die("resolve_all");
		double t2 = now_ms();
		for (size_t i = 0; i < n; i++) {
			if (codes[i])
				die("resolve_all entry");
			sesame_free(vals[i]);
		}
		if (t1 - t0 < seq)
			seq = t1 - t0;
		if (t2 - t1 < batch)
			batch = t2 - t1;
	}
	printf("resolve_%zu_sequential_ms=%.2f resolve_all_%zu_ms=%.2f speedup=%.1fx (target >= "
	       "20)\n",
	       n, seq, n, batch, seq / batch);

	/* 3. RSS */
	printf("rss_kib_with_one_client=%ld (before the client %ld; target < 10240)\n", rss_kib(),
	       rss0);

	/* 4. threads */
	for (int nt = 1; nt <= 8; nt *= 2) {
		pthread_t th[8];
		struct worker w[8];
		double until = now_ms() + dur;
		long total = 0;
		for (int i = 0; i < nt; i++) {
			w[i] = (struct worker){c, refs[i % n], until, 0};
			pthread_create(&th[i], NULL, work, &w[i]);
		}
		for (int i = 0; i < nt; i++) {
			pthread_join(th[i], NULL);
			total += w[i].done;
		}
		printf("threads=%d resolves_per_s=%.0f\n", nt, total * 1000.0 / dur);
	}
	sesame_client_free(c);
	for (size_t i = 0; i < n; i++)
		free(refs[i]);
	free(refs);
	free(vals);
	free(codes);
	return 0;
}
