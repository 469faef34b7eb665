/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_CLIENT_H
#define SESAME_CLIENT_H

/**
 * @file sesame/client.h
 * @brief The SDK: one client, driven by named operations over JSON.
 *
 * Like 1Password's SDKs, the whole API is a list of named operations
 * ("SecretsResolve", "ItemsGet", "VaultsList", ...) that take a JSON
 * object of parameters and return JSON in the SDK's shapes (docs/sdk.md
 * lists every operation with its parameters and result). Bindings wrap
 * sesame_client_invoke() and nothing else; the typed functions below are
 * conveniences for C callers on the hot paths.
 *
 * Threads: one client may be used from any number of threads at once.
 * Each concurrent call takes a keep-alive connection of its own from a
 * small pool (no lock is held during network I/O). A failed connection
 * is reopened by the next call, so a network failure never breaks the
 * client for good.
 *
 * Secrets: every string this API returns that can hold a secret value is
 * released with sesame_free(), which wipes it first. Error messages never
 * contain a secret value.
 */

#include "common.h"

SESAME_BEGIN_DECL

/** A signed-in client (opaque). */
typedef struct sesame_client sesame_client;

/** The version of ::sesame_client_options this header describes. */
#define SESAME_CLIENT_OPTIONS_VERSION 1

/** Integration name and version used when none is given (1Password's default). */
#define SESAME_DEFAULT_INTEGRATION_NAME "Unknown"
/** @copydoc SESAME_DEFAULT_INTEGRATION_NAME */
#define SESAME_DEFAULT_INTEGRATION_VERSION "Unknown"

/**
 * How to authenticate and behave. Declare with #SESAME_CLIENT_OPTIONS_INIT
 * (or fill with sesame_client_options_init()), then set what you need.
 *
 * Exactly one credential: `service_account_token`, or a signed-in CLI
 * session (`session_key`, the value `sesame signin` exports as
 * SESAME_SESSION, and optionally `session_file`). With neither set, the
 * environment is read: SESAME_SERVICE_ACCOUNT_TOKEN (or
 * OP_SERVICE_ACCOUNT_TOKEN), then SESAME_SESSION.
 *
 * Every string is copied; none is retained after sesame_client_new().
 */
typedef struct {
	unsigned int version;              /**< #SESAME_CLIENT_OPTIONS_VERSION */
	const char *service_account_token; /**< a service-account token, or NULL */
	const char *session_key;  /**< SESAME_SESSION of a CLI sign-in, or NULL */
	/**
	 * The CLI's session file. NULL: where the CLI keeps it
	 * ($XDG_RUNTIME_DIR/sesame, else $XDG_CONFIG_HOME/sesame or
	 * ~/.config/sesame, file `session-<hash of the key>`).
	 */
	const char *session_file;
	const char *integration_name;    /**< NULL: "Unknown"; sent with every request */
	const char *integration_version; /**< NULL: "Unknown" */
	/**
	 * Server address override ("https://host[:port]"); NULL: the address
	 * in the token or the session. Plain http is accepted for loopback
	 * only, unless `insecure` is set.
	 */
	const char *server_url;
	int insecure;         /**< allow plain http to a non-loopback host */
	int timeout_ms;       /**< per request; 0: 30000 */
	/**
	 * Seconds an item read (ItemsGet, SecretsResolve) may be served from
	 * the client's in-memory cache without a request. 0 (default): no
	 * cache. Past that, an ItemsGet entry is revalidated with its ETag
	 * (a 304 keeps it for another period, without a download); resolved
	 * references are read again. Writes through this client empty the
	 * cache.
	 */
	unsigned int cache_ttl_s;
	/** Connections kept for concurrent callers; 0: 8. */
	unsigned int max_connections;
	/** Attempts for idempotent requests (reads); 0: 3; 1: no retry. */
	unsigned int max_attempts;
	/**
	 * Longest Retry-After (seconds) a rate-limited read waits for before
	 * it is retried; a longer one is returned as SESAME_ERATELIMIT at once.
	 * 0: never wait.
	 */
	unsigned int max_retry_after_s;
} sesame_client_options;

/** Static initialiser: no credential (read from the environment), defaults. */
#define SESAME_CLIENT_OPTIONS_INIT                                                                 \
	{                                                                                          \
		SESAME_CLIENT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0 \
	}

/**
 * Fills `out` with the defaults of #SESAME_CLIENT_OPTIONS_INIT, for
 * bindings that cannot use the macro.
 *
 * @param out      the options to fill (caller-owned)
 * @param version  #SESAME_CLIENT_OPTIONS_VERSION
 * @return 0, or SESAME_EINVAL for NULL `out` or an unknown version.
 */
SESAME_EXTERN(int) sesame_client_options_init(sesame_client_options *out, unsigned int version);

/**
 * Creates a client and authenticates it: a service account signs in (one
 * round trip, no KDF); a CLI session is opened from its file (no round
 * trip). Nothing else is fetched until the first call.
 *
 * @param[out] out  receives the client, released with sesame_client_free();
 *                  NULL on failure
 * @param opts      the options; NULL means #SESAME_CLIENT_OPTIONS_INIT
 * @return 0; SESAME_EINVAL (bad options, both credentials given, a
 *         malformed token); SESAME_EAUTH (kind "not_signed_in" when no
 *         credential is found, or sign-in failed); SESAME_ETOKEN_EXPIRED,
 *         SESAME_ETOKEN_REVOKED; SESAME_ENETWORK; SESAME_ENOMEM.
 *         sesame_error_last() has the details.
 */
SESAME_EXTERN(int) sesame_client_new(sesame_client **out, const sesame_client_options *opts);

/**
 * Releases a client: closes its connections and wipes its keys and
 * cache. NULL is fine. No call may be running on it.
 */
SESAME_EXTERN(void) sesame_client_free(sesame_client *client);

/**
 * Runs one named operation.
 *
 * @param client     the client
 * @param operation  an operation name, e.g. "SecretsResolve" (docs/sdk.md)
 * @param params_json  a JSON object of parameters, NUL-terminated; NULL
 *                   means `{}`
 * @param[out] out_json  on success, the result as JSON text (an object,
 *                   array, string or null), NUL-terminated, owned by the
 *                   caller and released with sesame_free(); NULL on failure
 * @return 0, or a negative SESAME_E* code. sesame_error_last() then gives
 *         the typed error: `kind` is the SDK error name in snake_case
 *         (e.g. "vault_not_found", "item_ambiguous", "rate_limited",
 *         "permission_denied", "conflict", "token_expired", "network",
 *         "unknown_operation", "invalid_params"); for rate_limited,
 *         sesame_error_retry_after() gives the server's Retry-After.
 */
SESAME_EXTERN(int)
sesame_client_invoke(sesame_client *client, const char *operation, const char *params_json,
		     char **out_json);

/**
 * Releases a string returned by this library (invoke results, resolved
 * secrets), wiping it first. NULL is fine. Never pass other pointers.
 */
SESAME_EXTERN(void) sesame_free(void *ptr);

/**
 * Seconds the server asked the calling thread's last rate-limited call
 * to wait (its Retry-After), or 0 when the last error was not a rate
 * limit with one.
 */
SESAME_EXTERN(long long) sesame_error_retry_after(void);

/**
 * Resolves one secret reference (`op://vault/item/[section/]field`): one
 * round trip when the vault list is known (the first call also lists the
 * vaults).
 *
 * @param[out] out  the value, NUL-terminated, released with sesame_free();
 *                  NULL on failure
 * @param client    the client
 * @param reference the reference
 * @return 0; SESAME_EINVAL (kind "invalid_reference"); SESAME_ENOTFOUND
 *         (vault_not_found, item_not_found, field_not_found,
 *         no_matching_sections); SESAME_EAMBIGUOUS (too_many_vaults,
 *         too_many_items, too_many_matching_fields); SESAME_EPERM; network
 *         and authentication errors as for sesame_client_invoke().
 */
SESAME_EXTERN(int)
sesame_secrets_resolve(char **out, sesame_client *client, const char *reference);

/**
 * Resolves many references in one round trip (`POST /v1/resolve`).
 *
 * @param[out] out_values  a caller-allocated array of `n` pointers; entry
 *                  i receives the value of references[i] (release each
 *                  with sesame_free()), or NULL if that reference failed
 * @param[out] out_codes   a caller-allocated array of `n` ints; entry i
 *                  receives 0 or the SESAME_E* code of references[i]
 *                  (may be NULL)
 * @param client    the client
 * @param references  `n` NUL-terminated references
 * @param n         how many (at most 1000)
 * @return 0 when the batch ran (each reference may still have failed: see
 *         `out_codes`), or an error for the whole batch (network,
 *         authentication, n out of range); then every `out_values[i]` is
 *         NULL.
 */
SESAME_EXTERN(int)
sesame_secrets_resolve_all(char **out_values, int *out_codes, sesame_client *client,
			   const char *const *references, size_t n);

SESAME_END_DECL

#endif
