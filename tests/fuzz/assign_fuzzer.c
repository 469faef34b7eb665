/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes op's assignment statements ([section.]field[[type]]=value,
 * src/lib/client/assign.c): whatever parses is applied to a new login
 * item, twice (an update of the field it created), and the item must
 * still validate or the apply must say why; nothing may crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/assign.h"
#include "item/item.h"
#include "sesame/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	assignment a;
	item *it;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&a, 0, sizeof a);
	if (assignment_parse(&a, text) == 0) {
		it = item_new();
		if (it) {
			it->title = strdup("fuzz");
			it->category = ITEM_CATEGORY_LOGIN;
			char replaced[ITEM_ID_LEN + 1];
			if (assignment_is_file(&a))
				(void)assignment_add_file(it, &a, "abcdefghijklmnopqrstuvwxyz", 1,
							  replaced);
			else if (assignment_apply(it, &a) == 0 && assignment_apply(it, &a) == 0 &&
				 it->title && item_validate(it) != 0 &&
				 sesame_error_last()->code == 0)
				abort(); /* a failed validation always says why */
			item_free(it);
		}
	}
	assignment_clear(&a);
	free(text);
	return 0;
}
