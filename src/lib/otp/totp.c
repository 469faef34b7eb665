/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HOTP (RFC 4226), TOTP (RFC 6238) and otpauth:// URIs (Google's Key Uri
 * Format). HMAC comes from nettle: libsodium has no SHA-1, and SHA-1 is
 * what TOTP uses by default. docs/internals/totp.md describes the parsing
 * rules.
 *
 * Secret handling: the secret's text (base32, possibly percent-encoded)
 * and its decoded bytes only ever live in sodium_malloc memory; the HMAC
 * state and digest are wiped before returning. Error messages quote
 * parameter names and non-secret values, never the secret.
 */
#include <nettle/hmac.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base32.h"
#include "error.h"
#include "otp/totp.h"
#include "text.h"

/* Longest field value we parse; real otpauth URIs are a few hundred bytes. */
#define OTP_VALUE_MAX 4096
#define OTP_PERIOD_MAX 86400u

#define KIND_URI "otp_invalid_uri"
#define KIND_SECRET "otp_invalid_secret"
#define KIND_MISSING "otp_missing_secret"
#define KIND_PARAM "otp_invalid_parameter"
#define KIND_UNSUPPORTED "otp_unsupported"

static const uint32_t pow10_table[] = {1u,      10u,      100u,      1000u,      10000u,
				       100000u, 1000000u, 10000000u, 100000000u, 1000000000u};

int hotp_code(char out[TOTP_CODE_MAX], const unsigned char *secret, size_t secret_len,
	      otp_algorithm alg, unsigned digits, uint64_t counter)
{
	unsigned char msg[8], mac[SHA512_DIGEST_SIZE];
	size_t mac_len;
	union {
		struct hmac_sha1_ctx sha1;
		struct hmac_sha256_ctx sha256;
		struct hmac_sha512_ctx sha512;
	} ctx;

	if (out == NULL)
		return sesame_error_set(SESAME_EINVAL, KIND_PARAM, "no output buffer for the otp code");
	if (secret == NULL || secret_len == 0)
		return sesame_error_set(SESAME_EINVAL, KIND_SECRET, "otp secret is empty");
	if (digits < 6 || digits > 8)
		return sesame_error_set(SESAME_EINVAL, KIND_PARAM,
					"otp digits must be 6, 7 or 8, not %u", digits);
	for (int i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(counter & 0xff);
		counter >>= 8;
	}
	switch (alg) {
	case OTP_ALG_SHA1:
		hmac_sha1_set_key(&ctx.sha1, secret_len, secret);
		hmac_sha1_update(&ctx.sha1, sizeof msg, msg);
		hmac_sha1_digest(&ctx.sha1, SHA1_DIGEST_SIZE, mac);
		mac_len = SHA1_DIGEST_SIZE;
		break;
	case OTP_ALG_SHA256:
		hmac_sha256_set_key(&ctx.sha256, secret_len, secret);
		hmac_sha256_update(&ctx.sha256, sizeof msg, msg);
		hmac_sha256_digest(&ctx.sha256, SHA256_DIGEST_SIZE, mac);
		mac_len = SHA256_DIGEST_SIZE;
		break;
	case OTP_ALG_SHA512:
		hmac_sha512_set_key(&ctx.sha512, secret_len, secret);
		hmac_sha512_update(&ctx.sha512, sizeof msg, msg);
		hmac_sha512_digest(&ctx.sha512, SHA512_DIGEST_SIZE, mac);
		mac_len = SHA512_DIGEST_SIZE;
		break;
	default:
		return sesame_error_set(SESAME_EINVAL, KIND_PARAM, "unknown otp algorithm %d",
					(int)alg);
	}
	sodium_memzero(&ctx, sizeof ctx);

	/* Dynamic truncation, RFC 4226 section 5.3. */
	unsigned offset = mac[mac_len - 1] & 0x0f;
	uint32_t bin = ((uint32_t)(mac[offset] & 0x7f) << 24) |
		       ((uint32_t)mac[offset + 1] << 16) | ((uint32_t)mac[offset + 2] << 8) |
		       (uint32_t)mac[offset + 3];
	sodium_memzero(mac, sizeof mac);
	uint32_t code = bin % pow10_table[digits];
	bin = 0;
	/* Fixed width, most significant digit first: leading zeros stay. */
	for (unsigned i = digits; i > 0; i--) {
		out[i - 1] = (char)('0' + code % 10);
		code /= 10;
	}
	out[digits] = '\0';
	return 0;
}

int totp_code(char out[TOTP_CODE_MAX], const totp_params *p, int64_t now)
{
	if (p == NULL)
		return sesame_error_set(SESAME_EINVAL, KIND_PARAM, "no otp parameters given");
	if (p->period == 0)
		return sesame_error_set(SESAME_EINVAL, KIND_PARAM, "otp period must be positive");
	if (now < 0)
		return sesame_error_set(SESAME_EINVAL, KIND_PARAM,
					"time %lld is before the unix epoch", (long long)now);
	return hotp_code(out, p->secret, p->secret_len, p->algorithm, p->digits,
			 (uint64_t)now / p->period);
}

void totp_params_free(totp_params *p)
{
	if (p == NULL)
		return;
	sodium_free(p->secret); /* wipes */
	free(p->issuer);
	free(p->account);
	memset(p, 0, sizeof *p);
}

static void params_init(totp_params *p)
{
	memset(p, 0, sizeof *p);
	p->algorithm = OTP_ALG_SHA1;
	p->digits = 6;
	p->period = 30;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/*
 * Percent-decodes s[0..len) into `dst` (at least len + 1 bytes) and
 * NUL-terminates it. In a query value '+' means a space (as
 * application/x-www-form-urlencoded and most otpauth producers have it);
 * in the label path it is a literal '+'. %00 is refused so the result is
 * a proper C string. Returns the decoded length, or -1.
 */
static long percent_decode(char *dst, const char *s, size_t len, bool plus_is_space)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '%') {
			if (i + 2 >= len)
				return -1;
			int hi = text_hex_value(s[i + 1]), lo = text_hex_value(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			dst[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			dst[n++] = ' ';
		} else {
			dst[n++] = c;
		}
	}
	dst[n] = '\0';
	return (long)n;
}

static int strdup_range(char **out, const char *s, size_t len, bool plus_is_space,
			const char *what)
{
	char *d = malloc(len + 1);
	if (d == NULL)
		return sesame_error_nomem();
	if (percent_decode(d, s, len, plus_is_space) < 0) {
		free(d);
		return sesame_error_set(SESAME_EINVAL, KIND_URI,
					"invalid percent-encoding in otpauth %s", what);
	}
	*out = d;
	return 0;
}

/* Decodes base32 text (already percent-decoded) into p->secret. */
static int set_secret(totp_params *p, const char *text, size_t len)
{
	size_t cap = base32_decoded_max(len), n = 0;
	unsigned char *bin = sodium_malloc(cap ? cap : 1);
	if (bin == NULL)
		return sesame_error_nomem();
	int rc = base32_decode(bin, cap, &n, text, len);
	if (rc != 0) {
		sodium_free(bin);
		return sesame_error_set(SESAME_EINVAL, KIND_SECRET,
					"otp secret is not valid base32");
	}
	if (n == 0) {
		sodium_free(bin);
		return sesame_error_set(SESAME_EINVAL, KIND_MISSING, "otp secret is empty");
	}
	p->secret = bin;
	p->secret_len = n;
	return 0;
}

static bool ieq(const char *a, size_t alen, const char *b)
{
	return alen == strlen(b) && strncasecmp(a, b, alen) == 0;
}

/* Strict decimal in [lo, hi]; no sign, no spaces. */
static bool parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	unsigned long v = 0;
	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > hi)
			return false;
	}
	if (v < lo)
		return false;
	*out = (unsigned)v;
	return true;
}

/* Applies one query parameter. `seen` tracks duplicates of known names. */
enum { SEEN_SECRET = 1, SEEN_ISSUER = 2, SEEN_ALG = 4, SEEN_DIGITS = 8, SEEN_PERIOD = 16 };

static int apply_param(totp_params *p, const char *name, size_t name_len, const char *val,
		       size_t val_len, unsigned *seen)
{
	static const struct {
		const char *name;
		unsigned bit;
	} known[] = {{"secret", SEEN_SECRET},
		     {"issuer", SEEN_ISSUER},
		     {"algorithm", SEEN_ALG},
		     {"digits", SEEN_DIGITS},
		     {"period", SEEN_PERIOD}};
	unsigned bit = 0;
	const char *pname = NULL;
	char *text = NULL;
	int rc = 0;

	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (ieq(name, name_len, known[i].name)) {
			bit = known[i].bit;
			pname = known[i].name;
		}
	if (bit == 0)
		return 0; /* unknown parameters (counter, image, ...) are ignored */
	if (*seen & bit)
		return sesame_error_set(SESAME_EINVAL, KIND_URI,
					"duplicate otpauth parameter '%s'", pname);
	*seen |= bit;

	if (bit == SEEN_SECRET) {
		/* The secret's text is secret too: decode it in secure memory. */
		text = sodium_malloc(val_len + 1);
		if (text == NULL)
			return sesame_error_nomem();
		if (percent_decode(text, val, val_len, true) < 0)
			rc = sesame_error_set(SESAME_EINVAL, KIND_SECRET,
					      "invalid percent-encoding in otp secret");
		else if (text[0] == '\0')
			rc = sesame_error_set(SESAME_EINVAL, KIND_MISSING,
					      "otpauth uri has an empty 'secret' parameter");
		else
			rc = set_secret(p, text, strlen(text));
		sodium_free(text);
		return rc;
	}

	rc = strdup_range(&text, val, val_len, true, "parameter");
	if (rc != 0)
		return rc;
	switch (bit) {
	case SEEN_ISSUER:
		/* The parameter wins over the label's prefix (Key Uri Format). */
		free(p->issuer);
		p->issuer = text;
		text = NULL;
		break;
	case SEEN_ALG:
		if (strcasecmp(text, "SHA1") == 0)
			p->algorithm = OTP_ALG_SHA1;
		else if (strcasecmp(text, "SHA256") == 0)
			p->algorithm = OTP_ALG_SHA256;
		else if (strcasecmp(text, "SHA512") == 0)
			p->algorithm = OTP_ALG_SHA512;
		else
			rc = sesame_error_set(SESAME_EUNSUPPORTED, KIND_UNSUPPORTED,
					      "unsupported otp algorithm '%.32s'", text);
		break;
	case SEEN_DIGITS:
		if (!parse_uint(text, 6, 8, &p->digits))
			rc = sesame_error_set(SESAME_EINVAL, KIND_PARAM,
					      "otp digits must be 6, 7 or 8, not '%.32s'", text);
		break;
	case SEEN_PERIOD:
		if (!parse_uint(text, 1, OTP_PERIOD_MAX, &p->period))
			rc = sesame_error_set(SESAME_EINVAL, KIND_PARAM,
					      "otp period must be 1 to %u seconds, not '%.32s'",
					      OTP_PERIOD_MAX, text);
		break;
	default:
		break;
	}
	free(text);
	return rc;
}

/* Label "Issuer:account" or "account" (percent-encoded path segment). */
static int parse_label(totp_params *p, const char *s, size_t len)
{
	char *label = NULL;
	int rc = strdup_range(&label, s, len, false, "label");
	if (rc != 0)
		return rc;
	char *colon = strchr(label, ':');
	const char *account = label;
	if (colon != NULL) {
		*colon = '\0';
		account = colon + 1;
		if (label[0] != '\0') {
			p->issuer = strdup(label);
			if (p->issuer == NULL) {
				free(label);
				return sesame_error_nomem();
			}
		}
	}
	while (*account == ' ') /* "Issuer: account" is allowed */
		account++;
	if (*account != '\0') {
		p->account = strdup(account);
		if (p->account == NULL) {
			free(label);
			return sesame_error_nomem();
		}
	}
	free(label);
	return 0;
}

static int parse_uri(totp_params *p, const char *s, size_t len)
{
	static const char scheme[] = "otpauth://";
	const size_t slen = sizeof scheme - 1;
	const char *end = s + len;
	const char *type = s + slen;
	const char *slash = memchr(type, '/', (size_t)(end - type));
	unsigned seen = 0;
	int rc;

	if (slash == NULL)
		return sesame_error_set(SESAME_EINVAL, KIND_URI,
					"otpauth uri has no type, expected 'otpauth://totp/...'");
	if (ieq(type, (size_t)(slash - type), "hotp"))
		return sesame_error_set(SESAME_EUNSUPPORTED, KIND_UNSUPPORTED,
					"otpauth type 'hotp' is not supported, only 'totp'");
	if (!ieq(type, (size_t)(slash - type), "totp"))
		return sesame_error_set(SESAME_EINVAL, KIND_URI,
					"unknown otpauth type, expected 'totp'");

	const char *label = slash + 1;
	const char *hash = memchr(label, '#', (size_t)(end - label));
	if (hash != NULL)
		end = hash; /* a fragment is not part of the parameters */
	const char *query = memchr(label, '?', (size_t)(end - label));
	const char *label_end = query ? query : end;
	rc = parse_label(p, label, (size_t)(label_end - label));
	if (rc != 0)
		return rc;

	if (query != NULL) {
		const char *q = query + 1;
		while (q < end) {
			const char *amp = memchr(q, '&', (size_t)(end - q));
			const char *pend = amp ? amp : end;
			if (pend > q) {
				const char *eq = memchr(q, '=', (size_t)(pend - q));
				const char *nend = eq ? eq : pend;
				const char *val = eq ? eq + 1 : pend;
				rc = apply_param(p, q, (size_t)(nend - q), val,
						 (size_t)(pend - val), &seen);
				if (rc != 0)
					return rc;
			}
			q = pend + 1;
		}
	}
	if (!(seen & SEEN_SECRET))
		return sesame_error_set(SESAME_EINVAL, KIND_MISSING,
					"otpauth uri has no 'secret' parameter");
	return 0;
}

int totp_params_parse(totp_params *out, const char *value)
{
	static const char scheme[] = "otpauth://";
	int rc;

	if (out == NULL)
		return sesame_error_set(SESAME_EINVAL, NULL, "no output given for otp parameters");
	params_init(out);
	if (sodium_init() < 0)
		return sesame_error_set(SESAME_ERROR, NULL, "cannot initialise libsodium");
	if (value == NULL)
		return sesame_error_set(SESAME_EINVAL, KIND_MISSING, "otp value is empty");

	/* Surrounding whitespace (a pasted newline) is not part of the value. */
	size_t len = strnlen(value, OTP_VALUE_MAX + 1);
	if (len > OTP_VALUE_MAX)
		return sesame_error_set(SESAME_EINVAL, KIND_URI,
					"otp value is longer than %d bytes", OTP_VALUE_MAX);
	const char *s = value;
	while (len > 0 && is_space(*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	if (len == 0)
		return sesame_error_set(SESAME_EINVAL, KIND_MISSING, "otp value is empty");

	if (len >= sizeof scheme - 1 && strncasecmp(s, scheme, sizeof scheme - 1) == 0)
		rc = parse_uri(out, s, len);
	else if (memchr(s, ':', len) != NULL)
		rc = sesame_error_set(SESAME_EINVAL, KIND_URI,
				      "otp value is neither an otpauth:// uri nor a base32 secret");
	else
		rc = set_secret(out, s, len);
	if (rc != 0)
		totp_params_free(out);
	return rc;
}

int totp_code_from_value(char out[TOTP_CODE_MAX], const char *value, int64_t now)
{
	totp_params p;
	int rc = totp_params_parse(&p, value);
	if (rc != 0)
		return rc;
	rc = totp_code(out, &p, now);
	totp_params_free(&p);
	return rc;
}
