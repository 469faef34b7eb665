/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the SSH key reader (PKCS#8 PEM, src/lib/ssh/ssh_key.c): every
 * derived form is computed from arbitrary text. Whatever one function
 * accepts, the others accept too, and the public line names the type.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ssh/ssh_key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *pem = malloc(size + 1), *pub = NULL, *fp = NULL, *priv = NULL;
	const char *type = NULL;

	if (!pem)
		return 0;
	memcpy(pem, data, size);
	pem[size] = '\0';
	int a = ssh_key_public_openssh(&pub, pem, "c");
	int b = ssh_key_fingerprint(&fp, pem);
	int c = ssh_key_type(&type, pem);
	int d = ssh_key_to_openssh_private(&priv, pem, NULL);
	if ((a == 0) != (b == 0) || (a == 0) != (c == 0) || (a == 0) != (d == 0))
		abort(); /* one form accepted what another refused */
	if (a == 0 && (strncmp(pub, "ssh-ed25519 ", 12) != 0 || strncmp(fp, "SHA256:", 7) != 0 ||
		       strcmp(type, "Ed25519") != 0))
		abort();
	free(pub);
	free(fp);
	ssh_key_free_secret(priv);
	free(pem);
	return 0;
}
