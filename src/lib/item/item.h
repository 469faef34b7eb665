/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_ITEM_ITEM_H
#define SESAME_LIB_ITEM_ITEM_H

/*
 * The item model: what a vault holds, in plaintext, on the client.
 *
 * Mirrors 1Password's SDK types (Item, ItemOverview, ItemField, ...). The
 * server only ever sees these encrypted: the overview (title, category,
 * tags, websites) and the details (everything) are two separate blobs.
 *
 * Ownership: an item owns every string and array it points to; item_free()
 * releases them and wipes every field value, the notes and the title
 * first, since they may be secrets. Strings are UTF-8, NUL-terminated.
 * Optional strings are NULL when absent.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits, enforced by the JSON codec (item_json.c) and item_validate(). */
#define ITEM_ID_LEN 26                   /* [a-z0-9]{26} */
#define ITEM_MAX_JSON_BYTES (1u << 20)   /* one encoded item */
#define ITEM_MAX_TITLE_BYTES 1024
#define ITEM_MAX_VALUE_BYTES (256u * 1024) /* one field value or the notes */
#define ITEM_MAX_FIELDS 1000
#define ITEM_MAX_SECTIONS 200
#define ITEM_MAX_TAGS 100
#define ITEM_MAX_TAG_BYTES 128
#define ITEM_MAX_WEBSITES 100
#define ITEM_MAX_FILES 100
#define ITEM_MAX_FIELD_ID_BYTES 128      /* field and section ids are free-form */
/* Added with the codec: the other strings an item holds. */
#define ITEM_MAX_LABEL_BYTES ITEM_MAX_TITLE_BYTES /* other titles, labels, names, address */
#define ITEM_MAX_URL_BYTES 8192          /* one website url */
#define ITEM_MAX_TIME 253402300799LL     /* 9999-12-31T23:59:59Z, the last RFC 3339 second */

typedef enum {
	ITEM_CATEGORY_LOGIN = 0,
	ITEM_CATEGORY_SECURE_NOTE,
	ITEM_CATEGORY_CREDIT_CARD,
	ITEM_CATEGORY_CRYPTO_WALLET,
	ITEM_CATEGORY_IDENTITY,
	ITEM_CATEGORY_PASSWORD,
	ITEM_CATEGORY_DOCUMENT,
	ITEM_CATEGORY_API_CREDENTIALS,
	ITEM_CATEGORY_BANK_ACCOUNT,
	ITEM_CATEGORY_DATABASE,
	ITEM_CATEGORY_DRIVER_LICENSE,
	ITEM_CATEGORY_EMAIL,
	ITEM_CATEGORY_MEDICAL_RECORD,
	ITEM_CATEGORY_MEMBERSHIP,
	ITEM_CATEGORY_OUTDOOR_LICENSE,
	ITEM_CATEGORY_PASSPORT,
	ITEM_CATEGORY_REWARDS,
	ITEM_CATEGORY_ROUTER,
	ITEM_CATEGORY_SERVER,
	ITEM_CATEGORY_SSH_KEY,
	ITEM_CATEGORY_SOCIAL_SECURITY_NUMBER,
	ITEM_CATEGORY_SOFTWARE_LICENSE,
	ITEM_CATEGORY_PERSON,
	ITEM_CATEGORY_UNSUPPORTED,
	ITEM_CATEGORY_COUNT
} item_category;

typedef enum {
	FIELD_TYPE_TEXT = 0,
	FIELD_TYPE_CONCEALED,
	FIELD_TYPE_EMAIL,
	FIELD_TYPE_URL,
	FIELD_TYPE_PHONE,
	FIELD_TYPE_DATE,        /* value "YYYY-MM-DD" */
	FIELD_TYPE_MONTH_YEAR,  /* value "YYYYMM" or "MM/YYYY" */
	FIELD_TYPE_TOTP,        /* value an otpauth:// URI or a base32 secret */
	FIELD_TYPE_REFERENCE,   /* value the id of another item */
	FIELD_TYPE_SSH_KEY,     /* value a PKCS#8 PEM private key */
	FIELD_TYPE_MENU,
	FIELD_TYPE_ADDRESS,     /* details in item_field.address */
	FIELD_TYPE_CREDIT_CARD_NUMBER,
	FIELD_TYPE_CREDIT_CARD_TYPE,
	FIELD_TYPE_UNSUPPORTED,
	FIELD_TYPE_COUNT
} field_type;

/* What a field is for; built-in fields "username"/"password" carry one. */
typedef enum {
	FIELD_PURPOSE_NONE = 0,
	FIELD_PURPOSE_USERNAME,
	FIELD_PURPOSE_PASSWORD,
	FIELD_PURPOSE_NOTES,
} field_purpose;

typedef enum {
	AUTOFILL_ANYWHERE_ON_WEBSITE = 0,
	AUTOFILL_EXACT_DOMAIN,
	AUTOFILL_NEVER,
} autofill_behavior;

typedef enum { ITEM_STATE_ACTIVE = 0, ITEM_STATE_ARCHIVED } item_state;

typedef struct {
	char *street, *city, *country, *zip, *state;
} item_address;

typedef struct {
	char *id;            /* unique within the item; "username", "password"... */
	char *title;         /* the label references match against */
	char *section_id;    /* NULL or "" for the default section */
	field_type type;
	field_purpose purpose;
	char *value;         /* always text; "" when empty */
	item_address *address; /* FIELD_TYPE_ADDRESS only, else NULL */
} item_field;

typedef struct {
	char *id;            /* "" is the default section */
	char *title;
} item_section;

typedef struct {
	char *url;
	char *label;
	autofill_behavior autofill;
} item_website;

/* A file's attributes; the content is stored and encrypted separately. */
typedef struct {
	char id[ITEM_ID_LEN + 1];
	char *name;
	uint64_t size;
	char *section_id;    /* where the file shows in the item, may be NULL */
	char *field_id;
} item_file;

typedef struct {
	char id[ITEM_ID_LEN + 1];
	char vault_id[ITEM_ID_LEN + 1];
	char *title;
	item_category category;
	item_state state;
	uint64_t version;    /* starts at 1, +1 per edit; optimistic concurrency */
	int64_t created_at;  /* unix seconds, UTC */
	int64_t updated_at;
	char *notes;         /* NULL when none */

	item_field *fields;
	size_t nfields;
	item_section *sections;
	size_t nsections;
	char **tags;
	size_t ntags;
	item_website *websites;
	size_t nwebsites;
	item_file *files;
	size_t nfiles;
	item_file *document; /* Document items: the document, else NULL */
} item;

/* Allocates an empty item (all zero, category Login, state active). */
item *item_new(void);

/* Frees an item, wiping title, notes and every field value first. */
void item_free(item *it);

/* Deep copy; NULL on allocation failure (error set). */
item *item_dup(const item *it);

/*
 * Checks the invariants the codec also checks (ids, limits, unique field
 * ids, fields pointing at existing sections, address only on address
 * fields). Returns 0 or SESAME_EINVAL/SESAME_ETOOBIG with the error set.
 */
int item_validate(const item *it);

/* Names. The SDK's ("Login", "ApiCredentials"; "Text", "Concealed"). */
const char *item_category_name(item_category c);
const char *field_type_name(field_type t);
/* op's JSON names ("LOGIN", "API_CREDENTIAL"; "STRING", "CONCEALED", "OTP"). */
const char *item_category_op_name(item_category c);
const char *field_type_op_name(field_type t);
/* Human names as `op item create --category` takes them ("API Credential"). */
const char *item_category_human_name(item_category c);

/*
 * Parses a category from any of the three spellings above, case- and
 * space/underscore-insensitively ("api credential", "API_CREDENTIAL",
 * "ApiCredentials"). Returns 0 or SESAME_EINVAL (error set, quoting it).
 */
int item_category_parse(item_category *out, const char *name);
int field_type_parse(field_type *out, const char *name);

/* Finds a field by exact id; NULL if none. */
const item_field *item_field_by_id(const item *it, const char *id);
/* Finds a section by exact id; NULL if none. */
const item_section *item_section_by_id(const item *it, const char *id);

/*
 * True when the two items hold the same data. Optional strings compare
 * NULL equal to "" (the codec writes both as "" and reads "" back as NULL
 * where the model says NULL means none), so decode(encode(x)) equals x.
 */
bool item_equal(const item *a, const item *b);

#endif
