/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the TOTP field parser (otpauth://totp/ URIs and bare base32
 * secrets, src/lib/otp/totp.c): whatever parses must give a code of its
 * digit count at a fixed time, and the same code twice; a failure must
 * leave the parameters empty; the error message must never quote the
 * input's secret.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otp/totp.h"
#include "sesame/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), code[TOTP_CODE_MAX], again[TOTP_CODE_MAX];
	totp_params p;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (totp_params_parse(&p, text) == 0) {
		if (totp_code(code, &p, 1700000000) != 0 || strlen(code) != p.digits ||
		    totp_code(again, &p, 1700000000) != 0 || strcmp(code, again) != 0)
			abort();
		for (const char *c = code; *c; c++)
			if (*c < '0' || *c > '9')
				abort();
	} else if (p.secret || p.issuer || p.account) {
		abort(); /* a failure leaves nothing behind */
	}
	totp_params_free(&p);
	free(text);
	return 0;
}
