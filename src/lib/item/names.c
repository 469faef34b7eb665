/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Names of categories and field types in the three spellings users meet:
 * the SDK's ("ApiCredentials", "Concealed"), op's JSON ("API_CREDENTIAL",
 * "CONCEALED") and the human one `op item create --category` takes
 * ("API Credential"). The parsers accept any of them, ignoring case,
 * spaces, underscores and hyphens, plus the type words of op's field
 * assignments (`label[password]=...`).
 */
#include <string.h>

#include "error.h"
#include "item/item.h"
#include "item/item_internal.h"

static const char *const category_sdk[ITEM_CATEGORY_COUNT] = {
	[ITEM_CATEGORY_LOGIN] = "Login",
	[ITEM_CATEGORY_SECURE_NOTE] = "SecureNote",
	[ITEM_CATEGORY_CREDIT_CARD] = "CreditCard",
	[ITEM_CATEGORY_CRYPTO_WALLET] = "CryptoWallet",
	[ITEM_CATEGORY_IDENTITY] = "Identity",
	[ITEM_CATEGORY_PASSWORD] = "Password",
	[ITEM_CATEGORY_DOCUMENT] = "Document",
	[ITEM_CATEGORY_API_CREDENTIALS] = "ApiCredentials",
	[ITEM_CATEGORY_BANK_ACCOUNT] = "BankAccount",
	[ITEM_CATEGORY_DATABASE] = "Database",
	[ITEM_CATEGORY_DRIVER_LICENSE] = "DriverLicense",
	[ITEM_CATEGORY_EMAIL] = "Email",
	[ITEM_CATEGORY_MEDICAL_RECORD] = "MedicalRecord",
	[ITEM_CATEGORY_MEMBERSHIP] = "Membership",
	[ITEM_CATEGORY_OUTDOOR_LICENSE] = "OutdoorLicense",
	[ITEM_CATEGORY_PASSPORT] = "Passport",
	[ITEM_CATEGORY_REWARDS] = "Rewards",
	[ITEM_CATEGORY_ROUTER] = "Router",
	[ITEM_CATEGORY_SERVER] = "Server",
	[ITEM_CATEGORY_SSH_KEY] = "SshKey",
	[ITEM_CATEGORY_SOCIAL_SECURITY_NUMBER] = "SocialSecurityNumber",
	[ITEM_CATEGORY_SOFTWARE_LICENSE] = "SoftwareLicense",
	[ITEM_CATEGORY_PERSON] = "Person",
	[ITEM_CATEGORY_UNSUPPORTED] = "Unsupported",
};

/* op has no name for categories it does not know; Connect calls them CUSTOM. */
static const char *const category_op[ITEM_CATEGORY_COUNT] = {
	[ITEM_CATEGORY_LOGIN] = "LOGIN",
	[ITEM_CATEGORY_SECURE_NOTE] = "SECURE_NOTE",
	[ITEM_CATEGORY_CREDIT_CARD] = "CREDIT_CARD",
	[ITEM_CATEGORY_CRYPTO_WALLET] = "CRYPTO_WALLET",
	[ITEM_CATEGORY_IDENTITY] = "IDENTITY",
	[ITEM_CATEGORY_PASSWORD] = "PASSWORD",
	[ITEM_CATEGORY_DOCUMENT] = "DOCUMENT",
	[ITEM_CATEGORY_API_CREDENTIALS] = "API_CREDENTIAL",
	[ITEM_CATEGORY_BANK_ACCOUNT] = "BANK_ACCOUNT",
	[ITEM_CATEGORY_DATABASE] = "DATABASE",
	[ITEM_CATEGORY_DRIVER_LICENSE] = "DRIVER_LICENSE",
	[ITEM_CATEGORY_EMAIL] = "EMAIL_ACCOUNT",
	[ITEM_CATEGORY_MEDICAL_RECORD] = "MEDICAL_RECORD",
	[ITEM_CATEGORY_MEMBERSHIP] = "MEMBERSHIP",
	[ITEM_CATEGORY_OUTDOOR_LICENSE] = "OUTDOOR_LICENSE",
	[ITEM_CATEGORY_PASSPORT] = "PASSPORT",
	[ITEM_CATEGORY_REWARDS] = "REWARD_PROGRAM",
	[ITEM_CATEGORY_ROUTER] = "WIRELESS_ROUTER",
	[ITEM_CATEGORY_SERVER] = "SERVER",
	[ITEM_CATEGORY_SSH_KEY] = "SSH_KEY",
	[ITEM_CATEGORY_SOCIAL_SECURITY_NUMBER] = "SOCIAL_SECURITY_NUMBER",
	[ITEM_CATEGORY_SOFTWARE_LICENSE] = "SOFTWARE_LICENSE",
	[ITEM_CATEGORY_PERSON] = "PERSON",
	[ITEM_CATEGORY_UNSUPPORTED] = "CUSTOM",
};

static const char *const category_human[ITEM_CATEGORY_COUNT] = {
	[ITEM_CATEGORY_LOGIN] = "Login",
	[ITEM_CATEGORY_SECURE_NOTE] = "Secure Note",
	[ITEM_CATEGORY_CREDIT_CARD] = "Credit Card",
	[ITEM_CATEGORY_CRYPTO_WALLET] = "Crypto Wallet",
	[ITEM_CATEGORY_IDENTITY] = "Identity",
	[ITEM_CATEGORY_PASSWORD] = "Password",
	[ITEM_CATEGORY_DOCUMENT] = "Document",
	[ITEM_CATEGORY_API_CREDENTIALS] = "API Credential",
	[ITEM_CATEGORY_BANK_ACCOUNT] = "Bank Account",
	[ITEM_CATEGORY_DATABASE] = "Database",
	[ITEM_CATEGORY_DRIVER_LICENSE] = "Driver License",
	[ITEM_CATEGORY_EMAIL] = "Email Account",
	[ITEM_CATEGORY_MEDICAL_RECORD] = "Medical Record",
	[ITEM_CATEGORY_MEMBERSHIP] = "Membership",
	[ITEM_CATEGORY_OUTDOOR_LICENSE] = "Outdoor License",
	[ITEM_CATEGORY_PASSPORT] = "Passport",
	[ITEM_CATEGORY_REWARDS] = "Reward Program",
	[ITEM_CATEGORY_ROUTER] = "Wireless Router",
	[ITEM_CATEGORY_SERVER] = "Server",
	[ITEM_CATEGORY_SSH_KEY] = "SSH Key",
	[ITEM_CATEGORY_SOCIAL_SECURITY_NUMBER] = "Social Security Number",
	[ITEM_CATEGORY_SOFTWARE_LICENSE] = "Software License",
	[ITEM_CATEGORY_PERSON] = "Person",
	[ITEM_CATEGORY_UNSUPPORTED] = "Unsupported",
};

static const char *const field_sdk[FIELD_TYPE_COUNT] = {
	[FIELD_TYPE_TEXT] = "Text",
	[FIELD_TYPE_CONCEALED] = "Concealed",
	[FIELD_TYPE_EMAIL] = "Email",
	[FIELD_TYPE_URL] = "Url",
	[FIELD_TYPE_PHONE] = "Phone",
	[FIELD_TYPE_DATE] = "Date",
	[FIELD_TYPE_MONTH_YEAR] = "MonthYear",
	[FIELD_TYPE_TOTP] = "Totp",
	[FIELD_TYPE_REFERENCE] = "Reference",
	[FIELD_TYPE_SSH_KEY] = "SshKey",
	[FIELD_TYPE_MENU] = "Menu",
	[FIELD_TYPE_ADDRESS] = "Address",
	[FIELD_TYPE_CREDIT_CARD_NUMBER] = "CreditCardNumber",
	[FIELD_TYPE_CREDIT_CARD_TYPE] = "CreditCardType",
	[FIELD_TYPE_UNSUPPORTED] = "Unsupported",
};

static const char *const field_op[FIELD_TYPE_COUNT] = {
	[FIELD_TYPE_TEXT] = "STRING",
	[FIELD_TYPE_CONCEALED] = "CONCEALED",
	[FIELD_TYPE_EMAIL] = "EMAIL",
	[FIELD_TYPE_URL] = "URL",
	[FIELD_TYPE_PHONE] = "PHONE",
	[FIELD_TYPE_DATE] = "DATE",
	[FIELD_TYPE_MONTH_YEAR] = "MONTH_YEAR",
	[FIELD_TYPE_TOTP] = "OTP",
	[FIELD_TYPE_REFERENCE] = "REFERENCE",
	[FIELD_TYPE_SSH_KEY] = "SSHKEY",
	[FIELD_TYPE_MENU] = "MENU",
	[FIELD_TYPE_ADDRESS] = "ADDRESS",
	[FIELD_TYPE_CREDIT_CARD_NUMBER] = "CREDIT_CARD_NUMBER",
	[FIELD_TYPE_CREDIT_CARD_TYPE] = "CREDIT_CARD_TYPE",
	[FIELD_TYPE_UNSUPPORTED] = "UNKNOWN",
};

struct alias {
	const char *name; /* already normalised */
	int value;
};

/* Spellings beyond the three tables. */
static const struct alias category_aliases[] = {
	{"custom", ITEM_CATEGORY_UNSUPPORTED},
	{NULL, 0},
};

/* op's assignment types: password, text, email, url, date, monthYear, phone, otp. */
static const struct alias field_aliases[] = {
	{"password", FIELD_TYPE_CONCEALED},
	{"totp", FIELD_TYPE_TOTP},
	{"unknown", FIELD_TYPE_UNSUPPORTED},
	{NULL, 0},
};

const char *item_category_name(item_category c)
{
	return (unsigned)c < ITEM_CATEGORY_COUNT ? category_sdk[c]
						  : category_sdk[ITEM_CATEGORY_UNSUPPORTED];
}

const char *item_category_op_name(item_category c)
{
	return (unsigned)c < ITEM_CATEGORY_COUNT ? category_op[c]
						  : category_op[ITEM_CATEGORY_UNSUPPORTED];
}

const char *item_category_human_name(item_category c)
{
	return (unsigned)c < ITEM_CATEGORY_COUNT ? category_human[c]
						  : category_human[ITEM_CATEGORY_UNSUPPORTED];
}

const char *field_type_name(field_type t)
{
	return (unsigned)t < FIELD_TYPE_COUNT ? field_sdk[t] : field_sdk[FIELD_TYPE_UNSUPPORTED];
}

const char *field_type_op_name(field_type t)
{
	return (unsigned)t < FIELD_TYPE_COUNT ? field_op[t] : field_op[FIELD_TYPE_UNSUPPORTED];
}

#define NORM_MAX 48

/*
 * Lowercases ASCII letters and drops spaces, underscores and hyphens.
 * Returns false when the result would not fit (no name is that long).
 */
static bool normalise(char out[NORM_MAX], const char *in)
{
	size_t n = 0;

	for (; *in; in++) {
		char c = *in;
		if (c == ' ' || c == '_' || c == '-')
			continue;
		if (n + 1 >= NORM_MAX)
			return false;
		out[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[n] = '\0';
	return n > 0;
}

static bool matches(const char *norm, const char *name)
{
	char other[NORM_MAX];
	return normalise(other, name) && strcmp(norm, other) == 0;
}

static int lookup(const char *norm, const char *const *tables[], size_t ntables, size_t count,
		  const struct alias *aliases)
{
	for (size_t v = 0; v < count; v++)
		for (size_t t = 0; t < ntables; t++)
			if (matches(norm, tables[t][v]))
				return (int)v;
	for (; aliases->name; aliases++)
		if (strcmp(norm, aliases->name) == 0)
			return aliases->value;
	return -1;
}

int item_category_parse(item_category *out, const char *name)
{
	static const char *const *tables[] = {category_sdk, category_op, category_human};
	char norm[NORM_MAX], q[ITEM_QUOTE_MAX];
	int v = -1;

	if (name && normalise(norm, name))
		v = lookup(norm, tables, 3, ITEM_CATEGORY_COUNT, category_aliases);
	if (v < 0)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "unknown category '%s'",
					item__quote(q, name));
	*out = (item_category)v;
	return 0;
}

int field_type_parse(field_type *out, const char *name)
{
	static const char *const *tables[] = {field_sdk, field_op};
	char norm[NORM_MAX], q[ITEM_QUOTE_MAX];
	int v = -1;

	if (name && normalise(norm, name))
		v = lookup(norm, tables, 2, FIELD_TYPE_COUNT, field_aliases);
	if (v < 0)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
					"unknown field type '%s'", item__quote(q, name));
	*out = (field_type)v;
	return 0;
}
