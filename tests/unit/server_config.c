/* SPDX-License-Identifier: Apache-2.0 */
/* sesamed's settings: layers, precedence, the config file, and bad values. */
#include "test.h"

#include <stdio.h>
#include <unistd.h>

#include "../../src/server/config.c"

static char tmpdir[] = "/tmp/sesame-config-test-XXXXXX";
static char cfgpath[sizeof tmpdir + 16];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(cfgpath, sizeof cfgpath, "%s/sesamed.conf", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(cfgpath);
	rmdir(tmpdir);
	return 0;
}

static void write_file(const char *text)
{
	FILE *f = fopen(cfgpath, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

#define ARGS(...) ((char *const[]){"sesamed", __VA_ARGS__, NULL})
#define NOARGS	  ((char *const[]){"sesamed", NULL})
#define ENV(...)  ((char *const[]){__VA_ARGS__, NULL})
#define NOENV	  ((char *const[]){NULL})

static int argc_of(char *const argv[])
{
	int n = 0;
	while (argv[n])
		n++;
	return n;
}

static char err[512];

static int load(struct server_config *cfg, char *const argv[], char *const envp[])
{
	config_free(cfg);
	return config_load(cfg, argc_of(argv), argv, envp, err, sizeof err);
}

/* Expects a failure whose message contains `what`. */
static void load_fails(char *const argv[], char *const envp[], const char *what)
{
	struct server_config cfg = {0};
	if (load(&cfg, argv, envp) != SESAME_EINVAL)
		fail_msg("expected an error containing '%s'", what);
	if (!strstr(err, what))
		fail_msg("error '%s' does not contain '%s'", err, what);
	config_free(&cfg);
}

static void test_server_config__defaults(void **state)
{
	struct server_config cfg = {0};
	(void)state;
	assert_int_equal(load(&cfg, NOARGS, NOENV), 0);
	assert_int_equal(cfg.action, CONFIG_RUN);
	assert_string_equal(cfg.listen, "127.0.0.1");
	assert_int_equal(cfg.port, 8420);
	assert_string_equal(cfg.data_dir, "/var/lib/sesame");
	assert_null(cfg.tls_cert);
	assert_null(cfg.tls_key);
	assert_int_equal(cfg.log_level, LOG_INFO);
	assert_int_equal(cfg.log_format, LOG_FORMAT_TEXT);
	assert_false(cfg.insecure_no_tls);
	assert_false(cfg.dev);
	config_free(&cfg);
}

static void test_server_config__options(void **state)
{
	struct server_config cfg = {0};
	(void)state;
	assert_int_equal(
		load(&cfg,
		     ARGS("--listen", "::1", "--port", "0", "--data-dir", "/srv/s", "--log-level",
			  "debug", "--log-format=json", "--tls-cert=c.pem", "--tls-key", "k.pem"),
		     NOENV),
		0);
	assert_string_equal(cfg.listen, "::1");
	assert_int_equal(cfg.port, 0);
	assert_string_equal(cfg.data_dir, "/srv/s");
	assert_int_equal(cfg.log_level, LOG_DEBUG);
	assert_int_equal(cfg.log_format, LOG_FORMAT_JSON);
	assert_string_equal(cfg.tls_cert, "c.pem");
	assert_string_equal(cfg.tls_key, "k.pem");

	/* A repeated option: the last one wins. */
	assert_int_equal(load(&cfg, ARGS("--port=1", "--port=2"), NOENV), 0);
	assert_int_equal(cfg.port, 2);
	/* "[::1]" is accepted and stored bare. */
	assert_int_equal(load(&cfg, ARGS("--listen=[::1]"), NOENV), 0);
	assert_string_equal(cfg.listen, "::1");
	config_free(&cfg);
}

static void test_server_config__precedence(void **state)
{
	struct server_config cfg = {0};
	(void)state;
	write_file("port = 1111\nlog-level = warn\ndata-dir = /from/file\nlog-format = json\n");

	/* options > environment > file > defaults, setting by setting */
	assert_int_equal(load(&cfg, ARGS("--config", cfgpath, "--port", "3333"),
			      ENV("SESAME_PORT=2222", "SESAME_LOG_LEVEL=error")),
			 0);
	assert_int_equal(cfg.port, 3333);		 /* option */
	assert_int_equal(cfg.log_level, LOG_ERROR);	 /* environment */
	assert_string_equal(cfg.data_dir, "/from/file"); /* file */
	assert_int_equal(cfg.log_format, LOG_FORMAT_JSON);
	assert_string_equal(cfg.listen, "127.0.0.1"); /* default */
	assert_string_equal(cfg.config_file, cfgpath);

	assert_int_equal(load(&cfg, ARGS("--config", cfgpath), ENV("SESAME_PORT=2222")), 0);
	assert_int_equal(cfg.port, 2222);
	assert_int_equal(cfg.log_level, LOG_WARN);

	assert_int_equal(load(&cfg, ARGS("--config", cfgpath), NOENV), 0);
	assert_int_equal(cfg.port, 1111);

	/* Every variable is read. */
	assert_int_equal(load(&cfg, NOARGS,
			      ENV("SESAME_LISTEN=::1", "SESAME_DATA_DIR=/e", "SESAME_TLS_CERT=/c",
				  "SESAME_TLS_KEY=/k", "SESAME_LOG_FORMAT=json", "OTHER=1")),
			 0);
	assert_string_equal(cfg.listen, "::1");
	assert_string_equal(cfg.data_dir, "/e");
	assert_string_equal(cfg.tls_cert, "/c");
	assert_string_equal(cfg.tls_key, "/k");
	assert_int_equal(cfg.log_format, LOG_FORMAT_JSON);

	/* An empty variable is unset; a prefix of a name is not the name. */
	assert_int_equal(load(&cfg, NOARGS, ENV("SESAME_PORT=", "SESAME_PORTX=9")), 0);
	assert_int_equal(cfg.port, 8420);
	config_free(&cfg);
}

static void test_server_config__file_syntax(void **state)
{
	struct server_config cfg = {0};
	(void)state;
	write_file("# a comment\n"
		   "\n"
		   "   \t\n"
		   "  port   =   1234  \r\n"
		   "listen=127.0.0.2\n"
		   "\t# indented comment\n"
		   "data-dir = /path with spaces/x # not a comment\n"
		   "insecure-no-tls = true");
	assert_int_equal(load(&cfg, ARGS("--config", cfgpath), NOENV), 0);
	assert_int_equal(cfg.port, 1234);
	assert_string_equal(cfg.listen, "127.0.0.2");
	assert_string_equal(cfg.data_dir, "/path with spaces/x # not a comment");
	assert_true(cfg.insecure_no_tls);
	config_free(&cfg);
}

static void test_server_config__file_errors(void **state)
{
	(void)state;
	write_file("port = 1\n# fine\nbogus = 2\n");
	load_fails(ARGS("--config", cfgpath), NOENV, "line 3: unknown key 'bogus'");

	write_file("data_dir = /x\n");
	load_fails(ARGS("--config", cfgpath), NOENV,
		   "line 1: unknown key 'data_dir' (did you mean 'data-dir'?)");

	write_file("\nport\n");
	load_fails(ARGS("--config", cfgpath), NOENV, "line 2: expected 'key = value'");

	write_file("port =\n");
	load_fails(ARGS("--config", cfgpath), NOENV, "line 1: key 'port' has no value");

	write_file("port = 1\n\nport = 2\n");
	load_fails(ARGS("--config", cfgpath), NOENV, "line 3: key 'port' already set on line 1");

	/* Settings that only make sense as options are unknown keys here. */
	write_file("dev = true\n");
	load_fails(ARGS("--config", cfgpath), NOENV, "unknown key 'dev'");
	write_file("config = /etc/x\n");
	load_fails(ARGS("--config", cfgpath), NOENV, "unknown key 'config'");

	write_file("port = http\n");
	load_fails(ARGS("--config", cfgpath), NOENV, "invalid value 'http' for key 'port'");
	write_file("\n\nlog-level = loud\n");
	load_fails(ARGS("--config", cfgpath), NOENV, "line 3");
	write_file("insecure-no-tls = yes\n");
	load_fails(ARGS("--config", cfgpath), NOENV, "expected true or false");

	load_fails(ARGS("--config", "/nonexistent/sesamed.conf"), NOENV,
		   "cannot read config file '/nonexistent/sesamed.conf'");

	/* Too long a line, too large a file. */
	char *big = malloc(CONFIG_FILE_MAX + 10);
	assert_non_null(big);
	memset(big, '#', CONFIG_LINE_MAX + 5);
	big[CONFIG_LINE_MAX + 5] = '\0';
	write_file(big);
	load_fails(ARGS("--config", cfgpath), NOENV, "line 1: line longer than");
	memset(big, '\n', CONFIG_FILE_MAX + 5);
	big[CONFIG_FILE_MAX + 5] = '\0';
	write_file(big);
	load_fails(ARGS("--config", cfgpath), NOENV, "larger than");
	free(big);
}

static void test_server_config__bad_values(void **state)
{
	static const char *const ports[] = {"abc", "70000", "65536",  "-1",  "+80", " 80",
					    "80 ", "0x10",  "123456", "8e3", "1.5"};
	static const char *const addrs[] = {"localhost",    "1.2.3", "::g",	   "256.0.0.1",
					    "127.0.0.1:80", "[::1",  "example.com"};
	char arg[64];
	(void)state;
	for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++) {
		snprintf(arg, sizeof arg, "--port=%s", ports[i]);
		load_fails(ARGS(arg), NOENV,
			   "for option '--port': expected a port from 0 to 65535");
		snprintf(arg, sizeof arg, "SESAME_PORT=%s", ports[i]);
		if (ports[i][0] != ' ')
			load_fails(NOARGS, ENV(arg), "for environment variable SESAME_PORT");
	}
	load_fails(ARGS("--port", ""), NOENV, "invalid value '' for option '--port'");
	for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
		snprintf(arg, sizeof arg, "--listen=%s", addrs[i]);
		load_fails(ARGS(arg), NOENV, "expected an IPv4 or IPv6 address");
	}
	load_fails(ARGS("--log-level", "verbose"), NOENV, "expected debug, info, warn or error");
	load_fails(ARGS("--log-level", "off"), NOENV, "expected debug, info, warn or error");
	load_fails(NOARGS, ENV("SESAME_LOG_FORMAT=xml"), "invalid value 'xml' for environment");
	load_fails(ARGS("--data-dir="), NOENV, "expected a path");

	struct server_config cfg = {0};
	assert_int_equal(load(&cfg, ARGS("--port", "65535"), NOENV), 0);
	assert_int_equal(cfg.port, 65535);
	assert_int_equal(load(&cfg, ARGS("--port", "00080"), NOENV), 0);
	assert_int_equal(cfg.port, 80);
	assert_int_equal(load(&cfg, ARGS("--log-level", "WARN"), NOENV), 0);
	assert_int_equal(cfg.log_level, LOG_WARN);
	config_free(&cfg);
}

static void test_server_config__usage_errors(void **state)
{
	(void)state;
	load_fails(ARGS("--bogus"), NOENV, "unknown option '--bogus'");
	load_fails(ARGS("--bogus=1"), NOENV, "unknown option '--bogus'");
	load_fails(ARGS("-p", "1"), NOENV, "unexpected argument '-p'");
	load_fails(ARGS("serve"), NOENV, "unexpected argument 'serve'");
	load_fails(ARGS("--"), NOENV, "unexpected argument '--'");
	load_fails(ARGS("--port"), NOENV, "option '--port' needs a value");
	load_fails(ARGS("--dev=yes"), NOENV, "option '--dev' takes no value");
	load_fails(ARGS("--insecure-no-tls=true"), NOENV, "takes no value");
	/* Environment names are not options. */
	load_fails(ARGS("--SESAME_PORT=1"), NOENV, "unknown option");
}

static void test_server_config__help_and_version(void **state)
{
	struct server_config cfg = {0};
	(void)state;
	assert_int_equal(load(&cfg, ARGS("--help"), NOENV), 0);
	assert_int_equal(cfg.action, CONFIG_HELP);
	assert_int_equal(load(&cfg, ARGS("-h"), NOENV), 0);
	assert_int_equal(cfg.action, CONFIG_HELP);
	/* --help wins over values that would fail, and over a bad environment. */
	assert_int_equal(load(&cfg, ARGS("--port", "x", "--help"), ENV("SESAME_PORT=x")), 0);
	assert_int_equal(cfg.action, CONFIG_HELP);
	assert_int_equal(load(&cfg, ARGS("--version"), NOENV), 0);
	assert_int_equal(cfg.action, CONFIG_VERSION);
	config_free(&cfg);
}

static void test_server_config__tls_rules(void **state)
{
	struct server_config cfg = {0};
	(void)state;
	load_fails(ARGS("--tls-cert", "c.pem"), NOENV, "tls-cert given without tls-key");
	load_fails(NOARGS, ENV("SESAME_TLS_KEY=k.pem"), "tls-key given without tls-cert");

	load_fails(ARGS("--listen", "0.0.0.0"), NOENV,
		   "refusing to listen on '0.0.0.0' without tls");
	load_fails(ARGS("--listen", "::"), NOENV, "refusing to listen on '::' without tls");
	load_fails(NOARGS, ENV("SESAME_LISTEN=192.0.2.1"), "without tls");
	assert_int_equal(load(&cfg, ARGS("--listen", "0.0.0.0", "--insecure-no-tls"), NOENV), 0);
	assert_true(cfg.insecure_no_tls);
	assert_int_equal(
		load(&cfg, ARGS("--listen", "0.0.0.0", "--tls-cert", "c", "--tls-key", "k"), NOENV),
		0);
	write_file("insecure-no-tls = true\nlisten = ::\n");
	assert_int_equal(load(&cfg, ARGS("--config", cfgpath), NOENV), 0);
	/* Loopback needs no TLS. */
	assert_int_equal(load(&cfg, ARGS("--listen", "127.0.0.2"), NOENV), 0);
	assert_int_equal(load(&cfg, ARGS("--listen", "::1"), NOENV), 0);
	config_free(&cfg);
}

static void test_server_config__dev_mode(void **state)
{
	struct server_config cfg = {0};
	(void)state;
	/* Dev mode ignores where the environment says to listen and store. */
	assert_int_equal(load(&cfg, ARGS("--dev"),
			      ENV("SESAME_PORT=1", "SESAME_LISTEN=0.0.0.0", "SESAME_DATA_DIR=/d")),
			 0);
	assert_true(cfg.dev);
	assert_string_equal(cfg.listen, "127.0.0.1");
	assert_int_equal(cfg.port, 8420);
	assert_null(cfg.data_dir);
	/* ... but an explicit --port moves it. */
	assert_int_equal(load(&cfg, ARGS("--dev", "--port", "0"), NOENV), 0);
	assert_int_equal(cfg.port, 0);
	load_fails(ARGS("--dev", "--data-dir", "/x"), NOENV,
		   "option '--data-dir' cannot be used with '--dev'");
	load_fails(ARGS("--dev", "--listen", "::1"), NOENV, "'--listen' cannot be used");
	config_free(&cfg);
}

static void test_server_config__addresses_and_urls(void **state)
{
	char url[128];
	(void)state;
	assert_true(config_addr_is_loopback("127.0.0.1"));
	assert_true(config_addr_is_loopback("127.255.0.9"));
	assert_true(config_addr_is_loopback("::1"));
	assert_true(config_addr_is_loopback("::ffff:127.0.0.1"));
	assert_false(config_addr_is_loopback("0.0.0.0"));
	assert_false(config_addr_is_loopback("::"));
	assert_false(config_addr_is_loopback("128.0.0.1"));
	assert_false(config_addr_is_loopback("::ffff:10.0.0.1"));
	assert_false(config_addr_is_loopback("localhost"));

	assert_int_equal(config_url(url, sizeof url, "127.0.0.1", 8420, false), 0);
	assert_string_equal(url, "http://127.0.0.1:8420");
	assert_int_equal(config_url(url, sizeof url, "::1", 443, true), 0);
	assert_string_equal(url, "https://[::1]:443");
	assert_int_equal(config_url(url, 10, "::1", 443, true), -1);
}

static void test_server_config__usage_lists_every_setting(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	(void)state;
	assert_non_null(f);
	config_usage(f);
	fclose(f);
	for (size_t i = 0; i < OPT_TABLE_LEN; i++) {
		char flag[48];
		snprintf(flag, sizeof flag, "--%s", opt_table[i].name);
		assert_non_null(strstr(text, flag));
		if (opt_table[i].env)
			assert_non_null(strstr(text, opt_table[i].env));
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_config__defaults),
		cmocka_unit_test(test_server_config__options),
		cmocka_unit_test(test_server_config__precedence),
		cmocka_unit_test(test_server_config__file_syntax),
		cmocka_unit_test(test_server_config__file_errors),
		cmocka_unit_test(test_server_config__bad_values),
		cmocka_unit_test(test_server_config__usage_errors),
		cmocka_unit_test(test_server_config__help_and_version),
		cmocka_unit_test(test_server_config__tls_rules),
		cmocka_unit_test(test_server_config__dev_mode),
		cmocka_unit_test(test_server_config__addresses_and_urls),
		cmocka_unit_test(test_server_config__usage_lists_every_setting),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
