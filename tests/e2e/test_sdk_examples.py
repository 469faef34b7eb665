# SPDX-License-Identifier: Apache-2.0
"""examples/*.c compile against the build's public headers and libsesame.so
alone (`cc -Iinclude -L$BUILD -lsesame`), and run against the real sesamed
with a signed-in session in the environment. This is how the examples are
kept compiling without a CMake target of their own."""
import os
import subprocess

import pytest

from test_sdk_python import ROOT, Person, build_dir, in_process, sanitized


def compile_example(name, tmp_path):
    out = tmp_path / name
    flags = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic"]
    if sanitized():
        flags += ["-fsanitize=address,undefined"]
    r = subprocess.run(["cc", *flags, "-I", os.path.join(ROOT, "include"),
                        os.path.join(ROOT, "examples", f"{name}.c"), "-o", str(out),
                        "-L", build_dir(), "-lsesame",
                        f"-Wl,-rpath,{os.path.abspath(build_dir())}"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return str(out)


@in_process
def test_examples(sesamed, tmp_path):
    p = Person(tmp_path, sesamed.url).sign_up()
    p.cli("vault", "create", "Infra")
    p.cli("item", "create", "--vault", "Infra", "--category", "login", "--title", "db",
          "username=admin", "password=pa55word")
    p.cli("item", "create", "--vault", "Infra", "--category", "login", "--title", "web",
          "password=w3b")
    env = dict(p.env)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1")

    def run(*argv, code=0):
        r = subprocess.run(list(argv), capture_output=True, text=True, env=env, timeout=60)
        assert r.returncode == code, r.stderr
        return r.stdout

    out = run(compile_example("list_vaults", tmp_path))
    assert sorted(out.split("\n")[:-1]) == ["Infra", "Private", "Shared"]
    out = run(compile_example("list_vault_items", tmp_path), "Infra")
    assert sorted(out.split()) == ["db", "web"]
    res = compile_example("resolve", tmp_path)
    assert run(res, "op://Infra/db/password") == "pa55word\n"
    assert run(res, "op://Infra/db/username", "op://Infra/web/password") == "admin\nw3b\n"
    run(res, "op://Infra/nope/password", code=1)
    run(compile_example("list_vault_items", tmp_path), code=2)

    # The same programs with a service account's token and nothing else:
    # no session, another home. It sees only the vault it was granted.
    p.cli("vault", "create", "Other")
    token = p.cli("service-account", "create", "examples", "--vault", "Infra:read_items",
                  "--raw").strip()
    (tmp_path / "sa-home").mkdir()
    env = {k: v for k, v in env.items() if k != "SESAME_SESSION"}
    env.update(HOME=str(tmp_path / "sa-home"), SESAME_SERVICE_ACCOUNT_TOKEN=token)
    assert run(compile_example("list_vaults", tmp_path)).split() == ["Infra"]
    assert sorted(run(compile_example("list_vault_items", tmp_path), "Infra").split()) == \
        ["db", "web"]
    assert run(res, "op://Infra/db/username", "op://Infra/web/password") == "admin\nw3b\n"
    run(res, "op://Other/db/password", code=1)  # not granted: not even visible
