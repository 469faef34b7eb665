/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ed25519 SSH keys: PKCS#8 PEM in, OpenSSH public line, fingerprint and
 * OpenSSH private key out (docs/internals/ssh.md).
 *
 * Parsing is strict. The only private key accepted is the one DER form
 * every current tool writes for Ed25519 (RFC 8410, OneAsymmetricKey
 * version 0, no attributes, no public key):
 *     30 2e 02 01 00 30 05 06 03 2b 65 70 04 22 04 20 || 32-byte seed
 * Anything else is told apart only far enough to give the right error:
 * a well-formed PKCS#8 of another algorithm is SESAME_EUNSUPPORTED, the
 * rest SESAME_EINVAL.
 *
 * Key material (the PEM body, the DER, the seed and the 64-byte secret
 * key, the OpenSSH private blob and its text) only lives in sodium_malloc
 * memory, and every exit path frees it with sodium_free(), which wipes.
 */
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "error.h"
#include "ssh/ssh_key.h"

#define KIND_PARSE "unable_to_parse_private_key"
#define KIND_UNSUPPORTED "unsupported_ssh_key_type"

#define PEM_MAX (64u * 1024)   /* an RSA-16384 PKCS#8 PEM is about 12 KiB */
#define COMMENT_MAX 4096
#define SEED_BYTES crypto_sign_SEEDBYTES
#define PK_BYTES crypto_sign_PUBLICKEYBYTES
#define SK_BYTES crypto_sign_SECRETKEYBYTES
#define KEY_TYPE "ssh-ed25519"
#define KEY_TYPE_LEN (sizeof KEY_TYPE - 1)
/* string "ssh-ed25519" || string pk */
#define PUB_BLOB_BYTES (4 + KEY_TYPE_LEN + 4 + PK_BYTES)
#define PKCS8_LABEL "PRIVATE KEY"
#define OPENSSH_LABEL "OPENSSH PRIVATE KEY"
#define OPENSSH_MAGIC "openssh-key-v1" /* followed by its NUL */
#define OPENSSH_WRAP 70 /* ssh-keygen's line width */
#define PKCS8_WRAP 64   /* RFC 7468 / openssl */

static const unsigned char ed25519_pkcs8_prefix[16] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30,
						       0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
						       0x04, 0x22, 0x04, 0x20};
#define PKCS8_DER_BYTES (sizeof ed25519_pkcs8_prefix + SEED_BYTES)

/* Byte arrays only, so it may live in sodium_malloc memory unaligned. */
typedef struct {
	unsigned char pk[PK_BYTES];
	unsigned char sk[SK_BYTES]; /* seed || pk, libsodium's layout */
} ed_key;

static int crypto_ready(void)
{
	if (sodium_init() < 0)
		return sesame_error_set(SESAME_ERROR, NULL, "cannot initialise libsodium");
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* ---- PEM ---- */

/*
 * Splits "-----BEGIN <label>-----\n<body>\n-----END <label>-----" (after
 * trimming surrounding whitespace). Sets the label and body ranges.
 */
static int pem_split(const char *s, size_t len, const char **label, size_t *label_len,
		     const char **body, size_t *body_len)
{
	static const char begin[] = "-----BEGIN ", end[] = "-----END ", dashes[] = "-----";
	const size_t blen = sizeof begin - 1, elen = sizeof end - 1, dlen = sizeof dashes - 1;

	if (len < blen || memcmp(s, begin, blen) != 0)
		return sesame_error_set(SESAME_EINVAL, KIND_PARSE,
					"private key is not pem: no '-----BEGIN' line");
	const char *nl = memchr(s, '\n', len);
	if (nl == NULL)
		return sesame_error_set(SESAME_EINVAL, KIND_PARSE,
					"private key pem ends after its '-----BEGIN' line");
	const char *line_end = nl;
	if (line_end > s && line_end[-1] == '\r')
		line_end--;
	if ((size_t)(line_end - s) < blen + dlen || memcmp(line_end - dlen, dashes, dlen) != 0)
		return sesame_error_set(SESAME_EINVAL, KIND_PARSE,
					"private key pem has a malformed '-----BEGIN' line");
	*label = s + blen;
	*label_len = (size_t)(line_end - dlen - *label);

	/* The last line must be "-----END <same label>-----". */
	const char *last = s + len;
	const char *p = last;
	while (p > nl + 1 && p[-1] != '\n')
		p--;
	size_t last_len = (size_t)(last - p);
	if (last_len != elen + *label_len + dlen || memcmp(p, end, elen) != 0 ||
	    memcmp(p + elen, *label, *label_len) != 0 ||
	    memcmp(p + elen + *label_len, dashes, dlen) != 0)
		return sesame_error_set(SESAME_EINVAL, KIND_PARSE,
					"private key pem has no matching '-----END' line");
	*body = nl + 1;
	*body_len = (size_t)(p - *body);
	return 0;
}

/* Appends `label`'s PEM with `b64` wrapped at `width` into a new secret string. */
static int pem_wrap(char **out, const char *label, const char *b64, size_t b64_len,
		    size_t width)
{
	size_t lines = (b64_len + width - 1) / width;
	size_t llen = strlen(label);
	size_t cap = (11 + llen + 6) + b64_len + lines + (9 + llen + 6) + 1;
	char *pem = sodium_malloc(cap);
	if (pem == NULL)
		return sesame_error_nomem();
	size_t n = 0;
	memcpy(pem + n, "-----BEGIN ", 11), n += 11;
	memcpy(pem + n, label, llen), n += llen;
	memcpy(pem + n, "-----\n", 6), n += 6;
	for (size_t i = 0; i < b64_len; i += width) {
		size_t w = b64_len - i < width ? b64_len - i : width;
		memcpy(pem + n, b64 + i, w), n += w;
		pem[n++] = '\n';
	}
	memcpy(pem + n, "-----END ", 9), n += 9;
	memcpy(pem + n, label, llen), n += llen;
	memcpy(pem + n, "-----\n", 6), n += 6;
	pem[n] = '\0';
	*out = pem;
	return 0;
}

/* ---- minimal DER walk, only to name the algorithm of a refused key ---- */

static int der_item(const unsigned char *p, size_t len, size_t *pos, unsigned char tag,
		    size_t *out_len)
{
	if (*pos >= len || p[*pos] != tag)
		return -1;
	(*pos)++;
	if (*pos >= len)
		return -1;
	size_t l = p[(*pos)++];
	if (l & 0x80) {
		size_t nb = l & 0x7f;
		if (nb == 0 || nb > 3)
			return -1;
		l = 0;
		for (size_t i = 0; i < nb; i++) {
			if (*pos >= len)
				return -1;
			l = l << 8 | p[(*pos)++];
		}
	}
	if (l > len - *pos)
		return -1;
	*out_len = l;
	return 0;
}

/* PrivateKeyInfo ::= SEQUENCE { INTEGER, SEQUENCE { OID, ... }, OCTET STRING, ... } */
static int der_algorithm(const unsigned char *der, size_t len, const unsigned char **oid,
			 size_t *oid_len)
{
	size_t pos = 0, l;
	if (der_item(der, len, &pos, 0x30, &l) != 0 || pos + l != len)
		return -1;
	if (der_item(der, len, &pos, 0x02, &l) != 0)
		return -1;
	pos += l;
	if (der_item(der, len, &pos, 0x30, &l) != 0)
		return -1;
	size_t alg_end = pos + l;
	if (der_item(der, alg_end, &pos, 0x06, &l) != 0 || l == 0)
		return -1;
	*oid = der + pos;
	*oid_len = l;
	return 0;
}

static const char *oid_name(const unsigned char *oid, size_t len)
{
	static const struct {
		const char *name;
		unsigned char len;
		unsigned char oid[9];
	} known[] = {
		{"rsa", 9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01}},
		{"rsa-pss", 9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a}},
		{"ec", 7, {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01}},
		{"dsa", 7, {0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01}},
		{"x25519", 3, {0x2b, 0x65, 0x6e}},
		{"x448", 3, {0x2b, 0x65, 0x6f}},
		{"ed25519", 3, {0x2b, 0x65, 0x70}},
		{"ed448", 3, {0x2b, 0x65, 0x71}},
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (known[i].len == len && memcmp(known[i].oid, oid, len) == 0)
			return known[i].name;
	return "unknown";
}

/* ---- loading ---- */

/* Parses a PKCS#8 PEM into a new ed_key (sodium_malloc; sodium_free it). */
static int load_key(ed_key **out, const char *pem_text)
{
	const char *label = NULL, *body = NULL;
	size_t label_len = 0, body_len = 0, der_len = 0;
	char *b64 = NULL;
	unsigned char *der = NULL;
	ed_key *key = NULL;
	int rc;

	*out = NULL;
	if (pem_text == NULL)
		return sesame_error_set(SESAME_EINVAL, KIND_PARSE, "no private key given");
	rc = crypto_ready();
	if (rc != 0)
		return rc;
	size_t len = strnlen(pem_text, PEM_MAX + 1);
	if (len > PEM_MAX)
		return sesame_error_set(SESAME_EINVAL, KIND_PARSE,
					"private key is longer than %u bytes", PEM_MAX);
	while (len > 0 && is_space(*pem_text)) {
		pem_text++;
		len--;
	}
	while (len > 0 && is_space(pem_text[len - 1]))
		len--;
	rc = pem_split(pem_text, len, &label, &label_len, &body, &body_len);
	if (rc != 0)
		return rc;

	if (label_len != strlen(PKCS8_LABEL) || memcmp(label, PKCS8_LABEL, label_len) != 0) {
		/* The label is not secret: quote it, within bounds. */
		static const char suffix[] = "PRIVATE KEY";
		size_t slen = sizeof suffix - 1;
		if (label_len > slen && memcmp(label + label_len - slen, suffix, slen) == 0)
			return sesame_error_set(SESAME_EUNSUPPORTED, KIND_UNSUPPORTED,
						"unsupported ssh key type: '%.*s' pem, expected an "
						"ed25519 key in pkcs#8 ('%s')",
						(int)(label_len < 40 ? label_len : 40), label,
						PKCS8_LABEL);
		return sesame_error_set(SESAME_EINVAL, KIND_PARSE,
					"pem block '%.*s' is not a private key",
					(int)(label_len < 40 ? label_len : 40), label);
	}

	/* The body without its line breaks; nothing else is tolerated. */
	b64 = sodium_malloc(body_len + 1);
	if (b64 == NULL) {
		rc = sesame_error_nomem();
		goto cleanup;
	}
	size_t n = 0;
	for (size_t i = 0; i < body_len; i++)
		if (body[i] != '\n' && body[i] != '\r')
			b64[n++] = body[i];
	size_t cap = b64_decoded_max(n);
	der = sodium_malloc(cap);
	if (der == NULL) {
		rc = sesame_error_nomem();
		goto cleanup;
	}
	if (n == 0 || b64_decode(der, cap, &der_len, b64, n, B64_STANDARD) != 0) {
		rc = sesame_error_set(SESAME_EINVAL, KIND_PARSE,
				      "private key pem body is not valid base64");
		goto cleanup;
	}

	if (der_len != PKCS8_DER_BYTES ||
	    memcmp(der, ed25519_pkcs8_prefix, sizeof ed25519_pkcs8_prefix) != 0) {
		const unsigned char *oid;
		size_t oid_len;
		if (der_algorithm(der, der_len, &oid, &oid_len) != 0) {
			rc = sesame_error_set(SESAME_EINVAL, KIND_PARSE,
					      "private key is not a valid pkcs#8 structure");
		} else {
			const char *name = oid_name(oid, oid_len);
			if (strcmp(name, "ed25519") == 0)
				rc = sesame_error_set(
					SESAME_EUNSUPPORTED, KIND_UNSUPPORTED,
					"unsupported ssh key type: this ed25519 pkcs#8 variant "
					"(only version 0 without attributes is read)");
			else
				rc = sesame_error_set(SESAME_EUNSUPPORTED, KIND_UNSUPPORTED,
						      "unsupported ssh key type '%s', only ed25519 "
						      "is supported",
						      name);
		}
		goto cleanup;
	}

	key = sodium_malloc(sizeof *key);
	if (key == NULL) {
		rc = sesame_error_nomem();
		goto cleanup;
	}
	if (crypto_sign_seed_keypair(key->pk, key->sk, der + sizeof ed25519_pkcs8_prefix) != 0) {
		rc = sesame_error_set(SESAME_ERROR, NULL, "cannot derive the ed25519 key pair");
		goto cleanup;
	}
	*out = key;
	key = NULL;
cleanup:
	sodium_free(key);
	sodium_free(der);
	sodium_free(b64);
	return rc;
}

/* ---- public forms ---- */

static void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void public_blob(unsigned char out[PUB_BLOB_BYTES], const unsigned char pk[PK_BYTES])
{
	put_u32(out, KEY_TYPE_LEN);
	memcpy(out + 4, KEY_TYPE, KEY_TYPE_LEN);
	put_u32(out + 4 + KEY_TYPE_LEN, PK_BYTES);
	memcpy(out + 8 + KEY_TYPE_LEN, pk, PK_BYTES);
}

/* A comment goes on one line of text: no line breaks, no NUL (implied). */
static int check_comment(const char *comment, size_t *len)
{
	*len = 0;
	if (comment == NULL)
		return 0;
	*len = strnlen(comment, COMMENT_MAX + 1);
	if (*len > COMMENT_MAX)
		return sesame_error_set(SESAME_EINVAL, NULL,
					"ssh key comment is longer than %d bytes", COMMENT_MAX);
	if (strpbrk(comment, "\r\n") != NULL)
		return sesame_error_set(SESAME_EINVAL, NULL,
					"ssh key comment must not contain a line break");
	return 0;
}

int ssh_key_public_openssh(char **out, const char *pkcs8_pem, const char *comment)
{
	unsigned char blob[PUB_BLOB_BYTES];
	char b64[(PUB_BLOB_BYTES + 2) / 3 * 4 + 1];
	ed_key *key = NULL;
	size_t clen;
	int rc;

	if (out == NULL)
		return sesame_error_set(SESAME_EINVAL, NULL, "no output given for the public key");
	*out = NULL;
	rc = check_comment(comment, &clen);
	if (rc != 0)
		return rc;
	rc = load_key(&key, pkcs8_pem);
	if (rc != 0)
		return rc;
	public_blob(blob, key->pk);
	sodium_free(key);
	if (b64_encode(b64, sizeof b64, blob, sizeof blob, B64_STANDARD) != 0)
		return sesame_error_set(SESAME_ERROR, NULL, "cannot encode the public key");

	size_t blen = strlen(b64);
	size_t cap = KEY_TYPE_LEN + 1 + blen + (clen ? 1 + clen : 0) + 1;
	char *line = malloc(cap);
	if (line == NULL)
		return sesame_error_nomem();
	size_t n = 0;
	memcpy(line + n, KEY_TYPE " ", KEY_TYPE_LEN + 1), n += KEY_TYPE_LEN + 1;
	memcpy(line + n, b64, blen), n += blen;
	if (clen) {
		line[n++] = ' ';
		memcpy(line + n, comment, clen), n += clen;
	}
	line[n] = '\0';
	*out = line;
	return 0;
}

int ssh_key_fingerprint(char **out, const char *pkcs8_pem)
{
	unsigned char blob[PUB_BLOB_BYTES], digest[crypto_hash_sha256_BYTES];
	char b64[64];
	ed_key *key = NULL;
	int rc;

	if (out == NULL)
		return sesame_error_set(SESAME_EINVAL, NULL, "no output given for the fingerprint");
	*out = NULL;
	rc = load_key(&key, pkcs8_pem);
	if (rc != 0)
		return rc;
	public_blob(blob, key->pk);
	sodium_free(key);
	crypto_hash_sha256(digest, blob, sizeof blob);
	if (b64_encode(b64, sizeof b64, digest, sizeof digest, B64_STANDARD) != 0)
		return sesame_error_set(SESAME_ERROR, NULL, "cannot encode the fingerprint");
	size_t blen = strlen(b64);
	while (blen > 0 && b64[blen - 1] == '=') /* ssh-keygen prints no padding */
		blen--;
	char *fp = malloc(7 + blen + 1);
	if (fp == NULL)
		return sesame_error_nomem();
	memcpy(fp, "SHA256:", 7);
	memcpy(fp + 7, b64, blen);
	fp[7 + blen] = '\0';
	*out = fp;
	return 0;
}

int ssh_key_type(const char **out, const char *pkcs8_pem)
{
	ed_key *key = NULL;
	if (out == NULL)
		return sesame_error_set(SESAME_EINVAL, NULL, "no output given for the key type");
	*out = NULL;
	int rc = load_key(&key, pkcs8_pem);
	if (rc != 0)
		return rc;
	sodium_free(key);
	*out = "Ed25519";
	return 0;
}

/* ---- secret forms ---- */

/* A bounded writer over a buffer the caller sized exactly. */
typedef struct {
	unsigned char *p;
	size_t len, cap;
} writer;

static void w_bytes(writer *w, const void *data, size_t len)
{
	/* Sizes are computed up front; overflowing would be a bug here. */
	if (len > w->cap - w->len)
		abort();
	memcpy(w->p + w->len, data, len);
	w->len += len;
}

static void w_u32(writer *w, uint32_t v)
{
	unsigned char b[4];
	put_u32(b, v);
	w_bytes(w, b, 4);
}

static void w_string(writer *w, const void *data, size_t len)
{
	w_u32(w, (uint32_t)len);
	w_bytes(w, data, len);
}

int ssh_key_to_openssh_private(char **out, const char *pkcs8_pem, const char *comment)
{
	unsigned char pub[PUB_BLOB_BYTES], digest[crypto_hash_sha256_BYTES];
	unsigned char *blob = NULL;
	char *b64 = NULL;
	ed_key *key = NULL;
	size_t clen;
	int rc;

	if (out == NULL)
		return sesame_error_set(SESAME_EINVAL, NULL, "no output given for the private key");
	*out = NULL;
	rc = check_comment(comment, &clen);
	if (rc != 0)
		return rc;
	rc = load_key(&key, pkcs8_pem);
	if (rc != 0)
		return rc;
	public_blob(pub, key->pk);

	/*
	 * PROTOCOL.key, unencrypted. The check integer only detects a wrong
	 * passphrase, so with cipher "none" any value does: derive it from
	 * the public key, so the same key always gives the same text.
	 */
	crypto_hash_sha256(digest, pub, sizeof pub);
	uint32_t check = (uint32_t)digest[0] << 24 | (uint32_t)digest[1] << 16 |
			 (uint32_t)digest[2] << 8 | digest[3];
	size_t priv_len = 8 + (4 + KEY_TYPE_LEN) + (4 + PK_BYTES) + (4 + SK_BYTES) + (4 + clen);
	size_t pad = (8 - priv_len % 8) % 8;
	priv_len += pad;
	size_t blob_len = sizeof OPENSSH_MAGIC + (4 + 4) + (4 + 4) + 4 + 4 +
			  (4 + PUB_BLOB_BYTES) + (4 + priv_len);
	blob = sodium_malloc(blob_len);
	size_t b64_cap = b64_encoded_size(blob_len, B64_STANDARD);
	b64 = sodium_malloc(b64_cap);
	if (blob == NULL || b64 == NULL) {
		rc = sesame_error_nomem();
		goto cleanup;
	}
	writer w = {blob, 0, blob_len};
	w_bytes(&w, OPENSSH_MAGIC, sizeof OPENSSH_MAGIC); /* with its NUL */
	w_string(&w, "none", 4);                          /* cipher */
	w_string(&w, "none", 4);                          /* kdf */
	w_string(&w, "", 0);                              /* kdf options */
	w_u32(&w, 1);                                     /* number of keys */
	w_string(&w, pub, sizeof pub);
	w_u32(&w, (uint32_t)priv_len);
	w_u32(&w, check);
	w_u32(&w, check);
	w_string(&w, KEY_TYPE, KEY_TYPE_LEN);
	w_string(&w, key->pk, PK_BYTES);
	w_string(&w, key->sk, SK_BYTES);
	w_string(&w, comment ? comment : "", clen);
	for (size_t i = 1; i <= pad; i++) {
		unsigned char b = (unsigned char)i;
		w_bytes(&w, &b, 1);
	}
	if (w.len != blob_len)
		abort();

	if (b64_encode(b64, b64_cap, blob, blob_len, B64_STANDARD) != 0) {
		rc = sesame_error_set(SESAME_ERROR, NULL, "cannot encode the private key");
		goto cleanup;
	}
	rc = pem_wrap(out, OPENSSH_LABEL, b64, strlen(b64), OPENSSH_WRAP);
cleanup:
	sodium_free(b64);
	sodium_free(blob);
	sodium_free(key);
	return rc;
}

int ssh_key_generate(char **out_pkcs8_pem)
{
	unsigned char *der = NULL;
	char *b64 = NULL;
	ed_key *key = NULL;
	int rc;

	if (out_pkcs8_pem == NULL)
		return sesame_error_set(SESAME_EINVAL, NULL, "no output given for the new key");
	*out_pkcs8_pem = NULL;
	rc = crypto_ready();
	if (rc != 0)
		return rc;
	size_t b64_cap = b64_encoded_size(PKCS8_DER_BYTES, B64_STANDARD);
	key = sodium_malloc(sizeof *key);
	der = sodium_malloc(PKCS8_DER_BYTES);
	b64 = sodium_malloc(b64_cap);
	if (key == NULL || der == NULL || b64 == NULL) {
		rc = sesame_error_nomem();
		goto cleanup;
	}
	crypto_sign_keypair(key->pk, key->sk);
	memcpy(der, ed25519_pkcs8_prefix, sizeof ed25519_pkcs8_prefix);
	memcpy(der + sizeof ed25519_pkcs8_prefix, key->sk, SEED_BYTES); /* sk = seed || pk */
	if (b64_encode(b64, b64_cap, der, PKCS8_DER_BYTES, B64_STANDARD) != 0) {
		rc = sesame_error_set(SESAME_ERROR, NULL, "cannot encode the new key");
		goto cleanup;
	}
	rc = pem_wrap(out_pkcs8_pem, PKCS8_LABEL, b64, strlen(b64), PKCS8_WRAP);
cleanup:
	sodium_free(b64);
	sodium_free(der);
	sodium_free(key);
	return rc;
}

void ssh_key_free_secret(char *s)
{
	sodium_free(s);
}
