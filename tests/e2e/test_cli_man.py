# SPDX-License-Identifier: Apache-2.0
"""Man pages generated from the command table (`sesame __man`, scripts/gen-man):
one per command family plus sesame(1), committed in docs/man/, equal to what
the binary generates now, and rendered by man(1)."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import build_dir, clean_env

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAN = os.path.join(ROOT, "docs", "man")


def sesame(*args):
    return subprocess.run([os.path.join(build_dir(), "sesame"), *args], capture_output=True,
                          text=True, env=clean_env(), timeout=30)


def families():
    out = sesame("--help").stdout.split("Commands:", 1)[1]
    return re.findall(r"^  (\S+)", out, re.M)


def test_committed_pages_are_current():
    r = subprocess.run([os.path.join(ROOT, "scripts", "gen-man"), build_dir(), "--check"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_page_per_family():
    pages = set(sesame("__man", "--list").stdout.split())
    assert pages == {"sesame"} | {"sesame-" + f for f in families()}
    for p in pages:
        text = open(os.path.join(MAN, p + ".1"), encoding="utf-8").read()
        assert text.startswith(".\\\" SPDX-License-Identifier: Apache-2.0\n")
        assert re.search(r"^\.TH ", text, re.M) and "\n.SH NAME\n" in text


def test_pages_carry_the_flags_and_subcommands():
    for family in families():
        text = open(os.path.join(MAN, f"sesame-{family}.1"), encoding="utf-8").read()
        help_ = sesame(family, "--help").stdout
        if "Commands:" in help_:
            for sub in re.findall(r"^  (\S+)", help_.split("Commands:", 1)[1].split("Flags:")[0],
                                  re.M):
                assert f'.SS "sesame {family} {sub}' in text.replace("\\-", "-"), (family, sub)
        for flag in re.findall(r"--([\w-]+)", help_.split("Flags:", 1)[-1]):
            assert "\\-\\-" + flag.replace("-", "\\-") in text, (family, flag)
    vault = open(os.path.join(MAN, "sesame-vault.1"), encoding="utf-8").read()
    assert "\\-\\-permissions" in vault  # vault user grant, two levels down


def test_hand_written_sections_are_kept():
    read = open(os.path.join(MAN, "sesame-read.1"), encoding="utf-8").read()
    assert "A warm read is one HTTP request" in read
    assert ".SH ENVIRONMENT" in read and "OP_INTEGRATION_NAME" in read
    run = open(os.path.join(MAN, "sesame-run.1"), encoding="utf-8").read()
    assert "OP_RUN_NO_MASKING" in run and "127 when the command cannot be found" in run
    assert "OP_RUN_NO_MASKING" in open(os.path.join(MAN, "sesame-run.1")).read()
    assert "names the template line" in open(os.path.join(MAN, "sesame-inject.1")).read()


def test_usage_errors():
    r = sesame("__man", "nope")
    assert r.returncode == 2 and r.stdout == ""
    assert sesame("__man", "a", "b").returncode == 2


@pytest.mark.skipif(not shutil.which("man"), reason="man is not installed")
def test_man_renders(tmp_path):
    env = {**clean_env(), "MANWIDTH": "80", "MAN_KEEP_FORMATTING": "0", "HOME": str(tmp_path)}
    for page in ("sesame-read.1", "sesame.1", "sesame-vault.1"):
        r = subprocess.run(["man", "-l", os.path.join(MAN, page)], capture_output=True,
                           text=True, env=env, timeout=60)
        assert r.returncode == 0, r.stderr
        text = re.sub(".\b", "", r.stdout)  # overstrike (bold, underline)
        assert "NAME" in text and "SYNOPSIS" in text
        assert r.stderr == "", (page, r.stderr)
    r = subprocess.run(["man", "-l", os.path.join(MAN, "sesame-read.1")], capture_output=True,
                       text=True, env=env, timeout=60)
    text = re.sub(".\b", "", r.stdout)
    assert "--no-newline" in text and "print the secret" in text
