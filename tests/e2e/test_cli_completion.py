# SPDX-License-Identifier: Apache-2.0
"""`sesame completion bash|zsh|fish`: scripts generated from the command table.
bash completion is driven for real (compgen through the completion function);
zsh and fish scripts are parsed (zsh -n, fish -n) and, where the shell is
installed, asked for completions too. The committed docs/completions/ must equal
what the binary generates now (scripts/gen-completions --check)."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import build_dir, clean_env

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sesame(*args):
    return subprocess.run([os.path.join(build_dir(), "sesame"), *args], capture_output=True,
                          text=True, env=clean_env(), timeout=30)


def script(shell, tmp_path):
    r = sesame("completion", shell)
    assert r.returncode == 0 and r.stderr == ""
    path = tmp_path / f"sesame.{shell}"
    path.write_text(r.stdout)
    return path


def bash_complete(path, *words):
    """COMPREPLY of _sesame for the command line `words` (the last is the cursor)."""
    words = list(words)
    arr = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    prog = (f"source '{path}'\nCOMP_WORDS=({arr})\nCOMP_CWORD={len(words) - 1}\n"
            "_sesame\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", prog], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return [w for w in r.stdout.split("\n") if w]


def help_commands(*path):
    """The subcommands --help lists at `path` (the tables' own output)."""
    out = sesame(*path, "--help").stdout
    names = []
    if "Commands:" in out:
        for line in out.split("Commands:", 1)[1].splitlines()[1:]:
            m = re.match(r"^  (\S+)\s+(.*?)(?: \((.*)\))?$", line)
            if not m:
                break
            names.append(m.group(1))
            if m.group(3) and not m.group(3).startswith("alias"):
                names += m.group(3).split()
    return names


def help_flags(*path):
    out = sesame(*path, "--help").stdout
    if "Flags:" not in out:
        return []
    return re.findall(r"^\s+(?:-(\w), )?--([\w-]+)", out.split("Flags:", 1)[1], re.M)


def test_usage_errors():
    assert sesame("completion").returncode == 2
    r = sesame("completion", "tcsh")
    assert r.returncode == 2 and "unknown command" in r.stderr
    assert sesame("completion", "bash", "extra").returncode == 2
    r = sesame("completion", "--help")
    assert r.returncode == 0 and "bash" in r.stdout and r.stderr == ""
    assert "completion" in sesame("--help").stdout
    assert "__man" not in sesame("--help").stdout


def test_bash_registers_for_sesame_and_op(tmp_path):
    path = script("bash", tmp_path)
    r = subprocess.run(["bash", "--norc", "-c", f"source '{path}'; complete -p sesame op"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert "-F _sesame sesame" in r.stdout and "-F _sesame op" in r.stdout


def test_bash_completes_from_the_tables(tmp_path):
    path = script("bash", tmp_path)
    top = bash_complete(path, "sesame", "")
    assert top == help_commands(), "top level = the command table"
    assert "__man" not in top
    assert bash_complete(path, "sesame", "se") == ["service-account"]
    assert bash_complete(path, "op", "vau") == ["vault"]
    # Every family's subcommands and every leaf's flags, as --help lists them.
    for family in help_commands():
        subs = help_commands(family)
        got = bash_complete(path, "sesame", family, "")
        if subs:
            assert got == subs, family
        for sub in subs or [None]:
            words = [family] + ([sub] if sub else [])
            flags = bash_complete(path, "sesame", *words, "-")
            for short, long in help_flags(*words):
                assert "--" + long in flags, (words, long)
                if short:
                    assert "-" + short in flags, (words, short)
    # Nested subcommands, aliases resolved to the canonical command.
    assert bash_complete(path, "sesame", "vault", "user", "") == ["grant", "revoke", "list", "ls"]
    assert "--permissions" in bash_complete(path, "sesame", "vault", "user", "grant", "--")
    assert bash_complete(path, "sesame", "item", "ls", "--inc") == ["--include-archive"]
    assert bash_complete(path, "sesame", "group", "user", "rm", "--") == ["--group", "--user",
                                                                         "--help"]
    # A flag's value is not a subcommand, and is left to file completion.
    assert bash_complete(path, "sesame", "item", "list", "--vault", "") == []
    assert bash_complete(path, "sesame", "service-account", "create", "--vault", "x", "--",
                         ) == bash_complete(path, "sesame", "service-account", "create", "--")
    assert bash_complete(path, "sesame", "events", "--since", "ver") == []
    assert bash_complete(path, "sesame", "events", "") == ["verify"]
    assert bash_complete(path, "sesame", "read", "--out-file", "") == []
    assert bash_complete(path, "sesame", "help", "va") == ["vault"]
    assert bash_complete(path, "sesame", "completion", "") == ["bash", "zsh", "fish"]
    assert bash_complete(path, "sesame", "-") == ["--version", "-v", "--help", "-h"]
    # After `run --`: the command to run.
    assert "bash" in bash_complete(path, "sesame", "run", "--", "bas")
    assert bash_complete(path, "sesame", "run", "--", "bash", "--nor") == []


@pytest.mark.skipif(not shutil.which("zsh"), reason="zsh is not installed (scripts/install-deps)")
def test_zsh_script(tmp_path):
    path = script("zsh", tmp_path)
    assert path.read_text().startswith("#compdef sesame op\n")
    r = subprocess.run(["zsh", "-n", str(path)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    # Load it into a zsh with compinit and ask the tables through its functions.
    prog = (f"autoload -U compinit && compinit -u -D && source '{path}' && "
            "_sesame_walk vault ls --format json && print -r -- \"[$_sesame_path]\" && "
            "_sesame_walk item list --vault && print -r -- \"skip=$_sesame_skip\" && "
            "local -a subs flags && _sesame_describe 'vault user' && print -rl -- $subs && "
            "print -r -- \"$_comps[op]\"")
    r = subprocess.run(["zsh", "-f", "-c", prog], capture_output=True, text=True, timeout=60,
                       cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "[vault list]"
    assert lines[1] == "skip=1"
    assert "grant:Grant a person permissions on a vault" in lines
    assert "ls:List people with access" in lines
    assert lines[-1] == "_sesame"


@pytest.mark.skipif(not shutil.which("fish"), reason="fish is not installed (scripts/install-deps)")
def test_fish_script(tmp_path):
    path = script("fish", tmp_path)
    r = subprocess.run(["fish", "-n", str(path)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    prog = (f"source '{path}'; complete -C 'sesame vault '; echo ---; "
            "complete -C 'op item ls --'; echo ---; complete -C 'sesame help va'")
    r = subprocess.run(["fish", "--no-config", "-c", prog], capture_output=True, text=True,
                       timeout=60, env={**clean_env(), "HOME": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    vault, item, help_ = r.stdout.split("---\n")
    assert [l.split("\t")[0] for l in vault.splitlines()] == sorted(
        n for n in help_commands("vault") if n not in ("ls", "rm", "remove"))
    assert "--include-archive\tInclude archived items" in item.splitlines()
    assert help_.splitlines()[0].startswith("vault\t")


def test_committed_completions_are_current():
    r = subprocess.run([os.path.join(ROOT, "scripts", "gen-completions"), build_dir(), "--check"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
