/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CRYPTO_SEAL_H
#define SESAME_LIB_CRYPTO_SEAL_H

/*
 * Sealed boxes: encrypt to someone's X25519 public key without a key of
 * your own (libsodium crypto_box_seal: an ephemeral key pair, X25519,
 * XSalsa20-Poly1305). Used to give a vault key to each member, and a
 * group's private key to each member of the group.
 *
 * A sealed box is anonymous: it proves nothing about who sealed it. Where
 * the origin matters, the server's write permission and the audit trail
 * vouch for it, or the sealer signs separately.
 *
 * Format: ephemeral public key (32) || ciphertext || tag (16), so
 * SEAL_OVERHEAD bytes longer than the plaintext.
 */

#include <stddef.h>

#define SEAL_PUBLICKEYBYTES 32
#define SEAL_SECRETKEYBYTES 32
#define SEAL_OVERHEAD       48

size_t seal_overhead(void);

/*
 * Seals `pt` to `pk`. Writes pt_len + SEAL_OVERHEAD bytes to `out`
 * (capacity `out_cap`) and the length to *out_len. `out` must not overlap
 * `pt`. Returns 0, SESAME_EBUFSIZE, SESAME_ETOOBIG or SESAME_EINVAL (a
 * public key libsodium rejects, such as a low-order point).
 */
int seal_encrypt(unsigned char *out, size_t out_cap, size_t *out_len, const unsigned char *pt,
		 size_t pt_len, const unsigned char pk[SEAL_PUBLICKEYBYTES]);

/*
 * Opens a sealed box with the recipient's key pair. Writes
 * in_len - SEAL_OVERHEAD bytes to `out`. SESAME_EDECRYPT (kind
 * "decryption_failed", `out` zeroed) when the box was not sealed to this
 * key or was changed; SESAME_EBUFSIZE when `out` is too small.
 */
int seal_open(unsigned char *out, size_t out_cap, size_t *out_len, const unsigned char *in,
	      size_t in_len, const unsigned char pk[SEAL_PUBLICKEYBYTES],
	      const unsigned char sk[SEAL_SECRETKEYBYTES]) __attribute__((warn_unused_result));

#endif
