"""Settings from defaults, the workspace file, the environment and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dongtai.config import load_settings
from dongtai.errors import ConfigError

FILE = """window_hours = 24
[fetch]
per_host = 3
[llm]
model = "file-model"
[channels.mail]
type = "email"
to = "desk@example.org"
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in [n for n in os.environ if n.upper().startswith("DONGTAI_")]:
        monkeypatch.delenv(name)
    (tmp_path / "dongtai.toml").write_text(FILE, encoding="utf-8")
    return tmp_path


def test_nested_environment_values_merge_into_the_file_s_tables(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DONGTAI_FETCH__RETRIES", "0")
    monkeypatch.setenv("DONGTAI_FETCH__ALLOWED_NETWORKS", '["127.0.0.0/8"]')
    monkeypatch.setenv("DONGTAI_CHANNELS__MAIL__TOKEN", "secret")
    monkeypatch.setenv("DONGTAI_LLM_MODEL", "flat-model")  # below the nested name
    monkeypatch.setenv("DONGTAI_LLM__MODEL", "nested-model")
    s = load_settings(home=home)
    assert (s.fetch.per_host, s.fetch.retries, s.fetch.allowed_networks) == (3, 0, ["127.0.0.0/8"])
    assert s.channels["mail"].options() == {"to": "desk@example.org", "token": "secret"}
    assert s.llm.model == "nested-model" and s.window_hours == 24


def test_plain_environment_values_any_case_under_the_command_line(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("dongtai_window_hours", "30")
    monkeypatch.setenv("DONGTAI_ALLOW_UNVERIFIED", "yes")
    s = load_settings(home=home)
    assert (s.window_hours, s.allow_unverified, s.fetch.per_host) == (30, True, 3)
    assert load_settings(home=home, window_hours=12).window_hours == 12


def test_a_bad_environment_value_names_the_setting(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DONGTAI_FETCH__PER_HOST", "many")
    with pytest.raises(ConfigError, match=r"invalid setting fetch\.per_host"):
        load_settings(home=home)
    monkeypatch.delenv("DONGTAI_FETCH__PER_HOST")
    monkeypatch.setenv("DONGTAI_WINDOW_HOURS", "a day")
    with pytest.raises(ConfigError, match="invalid setting window_hours"):
        load_settings(home=home)


def _loaded(home: Path, env: dict[str, str]) -> tuple[int, bool]:
    """(window_hours, whether pydantic-settings was imported) in a fresh process."""
    code = (
        "import sys, json\nfrom pathlib import Path\nfrom dongtai.config import load_settings\n"
        f"s = load_settings(home=Path({str(home)!r}))\n"
        "print(json.dumps([s.window_hours, 'pydantic_settings' in sys.modules]))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith("DONGTAI_")}
    done = subprocess.run([sys.executable, "-c", code], env=clean | env,
                          capture_output=True, text=True, check=True)  # fmt: skip
    hours, imported = json.loads(done.stdout)
    return hours, imported


def test_pydantic_settings_is_imported_only_for_nested_or_structured_values(home: Path) -> None:
    assert _loaded(home, {"DONGTAI_WINDOW_HOURS": "30"}) == (30, False)
    assert _loaded(home, {"DONGTAI_FORMATS": '["md"]', "DONGTAI_WINDOW_HOURS": "31"}) == (31, True)
    assert _loaded(home, {"DONGTAI_FETCH__RETRIES": "0"}) == (24, True)
