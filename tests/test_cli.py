"""The `flake8-handler-block` command: rules, explain, and the lazily wired confirm/fix."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_handler_block import __version__, cli, docs
from flake8_handler_block.rules import ALL_RULES

SRC = Path(cli.__file__).resolve().parent.parent


def _python(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=120)


def test_rules_lists_every_rule(capsys):
    assert cli.main(["rules"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| Code | Name | Scope | Fixable | Summary |")
    for rule in ALL_RULES:
        assert f"| {rule.code} | `{rule.name}` |" in out


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.code for r in ALL_RULES])
def test_explain_prints_the_rule_doc(rule, capsys):
    assert cli.main(["explain", rule.code.lower()]) == 0
    out = capsys.readouterr().out
    assert out == docs.rule_markdown(rule, level=1)
    assert out.startswith(f"# {rule.code} {rule.name}\n")
    for title in docs.REQUIRED_SECTIONS:
        assert f"\n## {title}\n" in out


def test_explain_unknown_code_is_one_line_and_exit_2(capsys):
    assert cli.main(["explain", "HB999"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "HB999" in lines[0] and "unknown rule code" in lines[0]


def test_no_command_prints_help_and_exits_2(capsys):
    assert cli.main([]) == 2
    assert "explain" in capsys.readouterr().out


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_importing_the_cli_is_cheap():
    code = (
        "import sys, flake8_handler_block.cli as c; c.build_parser(['rules']);"
        "heavy = [m for m in ('libcst', 'flake8', 'flake8_handler_block.fix', 'flake8_handler_block.harness.confirm')"
        " if m in sys.modules]; print(heavy)"
    )
    result = _python("-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.slow  # two interpreters started
def test_python_dash_m_works():
    result = _python("-m", "flake8_handler_block", "explain", "HB201")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# HB201 ")
    bad = _python("-m", "flake8_handler_block", "explain", "nope")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_console_script_is_installed():
    script = Path(sys.executable).parent / ("flake8-handler-block" + (".exe" if os.name == "nt" else ""))
    if not script.exists():
        pytest.skip("console script not installed in this environment (pip install -e . creates it)")
    result = subprocess.run([str(script), "rules"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "HB201" in result.stdout


# -- confirm / fix: wired from their modules, only when present -----------------------

@pytest.fixture
def plugged(tmp_path, monkeypatch):
    """Point the `fix` and `confirm` subcommands at throwaway modules."""
    package = tmp_path / "hb_fake_cmds"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "good.py").write_text(
        textwrap.dedent(
            """
            def add_arguments(parser):
                parser.add_argument("paths", nargs="*")
                parser.add_argument("--diff", action="store_true")

            def run(args):
                print("ran", args.paths, args.diff)
                return 3
            """
        )
    )
    (package / "incomplete.py").write_text("def add_arguments(parser):\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(
        cli,
        "PLUGGED",
        {
            "fix": ("hb_fake_cmds.good", "fix help"),
            "confirm": ("hb_fake_cmds.incomplete", "confirm help"),
            "other": ("hb_fake_cmds.absent", "absent help"),
        },
    )
    yield
    for name in ("hb_fake_cmds", "hb_fake_cmds.good", "hb_fake_cmds.incomplete"):
        sys.modules.pop(name, None)


def test_plugged_command_runs_its_module(plugged, capsys):
    assert cli.main(["fix", "--diff", "a.py", "b.py"]) == 3
    assert capsys.readouterr().out.strip() == "ran ['a.py', 'b.py'] True"


def test_plugged_module_without_run_is_a_clean_error(plugged, capsys):
    assert cli.main(["confirm", "--anything"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "confirm" in err[0] and "not available" in err[0]


def test_absent_module_means_no_subcommand(plugged, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["other"])
    assert exc.value.code == 2
    assert "other" not in cli.build_parser([]).format_help()


def test_other_commands_do_not_import_plugged_modules(plugged):
    cli.build_parser(["rules"])
    assert "hb_fake_cmds.good" not in sys.modules


def test_real_fix_and_confirm_are_wired_when_present():
    parser_help = cli.build_parser([]).format_help()
    for name, (module, _help) in cli.PLUGGED.items():
        assert (name in parser_help) == cli._module_exists(module)
