"""Configuration: pyproject table, flake8 options winning, and one-line errors."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from flake8_handler_block.config import Config, ConfigError, build_config, config_from_table, find_pyproject


def options(**values):
    base = {dest: None for dest in (
        "hb_scope", "hb_handler_decorators", "hb_handler_base_classes",
        "hb_wait_group_classes", "hb_extra_timeout_calls",
    )}
    base.update(values)
    return SimpleNamespace(**base)


def write_pyproject(tmp_path, body):
    (tmp_path / "pyproject.toml").write_text("[tool.flake8-handler-block]\n" + body)


def test_defaults_without_pyproject(tmp_path):
    config = build_config(options(), start_dir=str(tmp_path))
    assert config == Config()


def test_pyproject_values_are_read(tmp_path):
    write_pyproject(
        tmp_path,
        'scope = "handlers"\nhandler-decorators = ["tasks.endpoint", "rpc"]\n'
        'handler-base-classes = ["BaseResource"]\nwait-group-classes = ["Tracker"]\n'
        'extra-timeout-calls = ["clients.http.fetch:2", "clients.http.post"]\n',
    )
    config = build_config(options(), start_dir=str(tmp_path))
    assert config.scope == "handlers"
    assert config.handler_decorators == ("tasks.endpoint", "rpc")
    assert config.handler_base_classes == ("BaseResource",)
    assert config.wait_group_classes == ("Tracker",)
    assert config.extra_timeout_calls == (("clients.http.fetch", 2), ("clients.http.post", None))


def test_pyproject_is_found_from_a_subdirectory(tmp_path):
    write_pyproject(tmp_path, 'scope = "all"\n')
    nested = tmp_path / "src" / "pkg"
    nested.mkdir(parents=True)
    assert find_pyproject(str(nested)) == str(tmp_path / "pyproject.toml")
    assert build_config(options(), start_dir=str(nested)).scope == "all"


def test_flake8_options_win(tmp_path):
    write_pyproject(tmp_path, 'scope = "all"\nhandler-decorators = ["a"]\n')
    config = build_config(options(hb_scope="handlers", hb_handler_decorators=["b", "c"]), start_dir=str(tmp_path))
    assert config.scope == "handlers"
    assert config.handler_decorators == ("b", "c")


def test_isolated_ignores_pyproject(tmp_path):
    write_pyproject(tmp_path, 'scope = "all"\n')
    assert build_config(options(isolated=True), start_dir=str(tmp_path)).scope == "default"


@pytest.mark.parametrize(
    "body, needle",
    [
        ('scope = "sometimes"\n', "scope"),
        ("scope = 3\n", "scope"),
        ('handler-decorators = "not a list of names!"\n', "handler-decorators"),
        ("wait-group-classes = [1, 2]\n", "wait-group-classes"),
        ('extra-timeout-calls = ["fetch:two"]\n', "extra-timeout-calls"),
        ('colour = "blue"\n', "colour"),
    ],
)
def test_bad_values_name_the_key_and_the_file(tmp_path, body, needle):
    write_pyproject(tmp_path, body)
    with pytest.raises(ConfigError) as error:
        build_config(options(), start_dir=str(tmp_path))
    message = str(error.value)
    assert needle in message and "pyproject.toml" in message and "\n" not in message


def test_malformed_toml(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.flake8-handler-block\n")
    with pytest.raises(ConfigError, match="malformed TOML"):
        build_config(options(), start_dir=str(tmp_path))


def test_bad_flake8_option_names_the_option():
    with pytest.raises(ConfigError, match="--hb-scope"):
        config_from_table({}, "", options(hb_scope="wide"))


def test_name_matching_last_component_or_full_path():
    config = Config(handler_decorators=("endpoint", "pkg.rpc.method"))
    assert config.matches_decorator("anything.endpoint")
    assert config.matches_decorator("pkg.rpc.method")
    assert not config.matches_decorator("other.rpc.method")
    assert not config.matches_decorator("endpoints")
