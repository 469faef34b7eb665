/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_SSH_SSH_KEY_H
#define SESAME_LIB_SSH_SSH_KEY_H

/*
 * SSH keys for SSH Key items. Ed25519 only (generation and parsing);
 * other key types are refused with SESAME_EUNSUPPORTED.
 *
 * The stored form of a private key is PKCS#8 PEM ("-----BEGIN PRIVATE
 * KEY-----"), as 1Password stores it. From it we derive the OpenSSH public
 * key line, the SHA256 fingerprint, the key type, and an OpenSSH private
 * key ("-----BEGIN OPENSSH PRIVATE KEY-----", unencrypted) for
 * `?ssh-format=openssh`.
 *
 * Every returned string is malloc'ed and owned by the caller; strings
 * holding private keys are in sodium_malloc memory and must be released
 * with ssh_key_free_secret() (which wipes them).
 */

#include <stddef.h>

/* Generates a new Ed25519 key and returns its PKCS#8 PEM (secret). */
int ssh_key_generate(char **out_pkcs8_pem);

/* "ssh-ed25519 AAAAC3Nz... [comment]"; comment may be NULL. free(). */
int ssh_key_public_openssh(char **out, const char *pkcs8_pem, const char *comment);

/* "SHA256:<base64 without padding>", as ssh-keygen -l prints. free(). */
int ssh_key_fingerprint(char **out, const char *pkcs8_pem);

/* "Ed25519" (the SDK's keyType). Static string via *out. */
int ssh_key_type(const char **out, const char *pkcs8_pem);

/* OpenSSH private key PEM (secret): release with ssh_key_free_secret(). */
int ssh_key_to_openssh_private(char **out, const char *pkcs8_pem, const char *comment);

/* Wipes and frees a secret string returned above. NULL is fine. */
void ssh_key_free_secret(char *s);

#endif
