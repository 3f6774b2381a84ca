"""Every CLI edge gives one line on stderr and exit status 2 (run as an operator would)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dongtai.fetch.netguard import AddressPolicy


def dongtai(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dongtai", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def one_line_exit_2(done: subprocess.CompletedProcess[str], expected: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert expected in lines[0], lines[0]


@pytest.mark.parametrize(
    ("day", "expected"),
    [("0001-01-01", "between 1970-01-03 and 2100-12-31"), ("9999-12-31", "between"),
     ("yesterday", "YYYY-MM-DD")],
)  # fmt: skip
def test_dates_out_of_range(tmp_path: Path, day: str, expected: str) -> None:
    one_line_exit_2(dongtai("--home", str(tmp_path), "brief", "--date", day), expected)
    one_line_exit_2(dongtai("--home", str(tmp_path), "stories", "--date", day), expected)


def test_homes_that_cannot_be_workspaces(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    cases = [
        (str(a_file), "is not a folder"),
        (str(a_file / "below"), "which is not a folder"),
        ("/dev/null", "is not a folder"),
        ("", "is empty"),
    ]
    for home, expected in cases:
        one_line_exit_2(dongtai("--home", home, "sources", "list"), expected)


def test_format_list_without_a_format(tmp_path: Path) -> None:
    done = dongtai("--home", str(tmp_path), "brief", "--date", "2026-05-06", "--format", ",")
    one_line_exit_2(done, "--format lists no format")


def test_sources_add_refuses_an_empty_or_odd_id(tmp_path: Path) -> None:
    for bad in ("", "Has Space", "_x"):
        done = dongtai("--home", str(tmp_path), "sources", "add", bad, "https://example.org/f")
        one_line_exit_2(done, "ID must be")
    assert not (tmp_path / "sources.yaml").exists()
    assert dongtai("--home", str(tmp_path), "sources", "list").returncode == 0


def test_verify_reads_only_regular_files_within_the_limit(tmp_path: Path) -> None:
    one_line_exit_2(dongtai("--home", str(tmp_path), "verify", "/dev/zero"), "not a regular file")
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 4096)
    done = dongtai(
        "--home", str(tmp_path), "verify", str(big), env={"DONGTAI_INGEST__MAX_FILE_BYTES": "1024"}
    )
    one_line_exit_2(done, "larger than the 1,024-byte input limit")
    one_line_exit_2(dongtai("--home", str(tmp_path), "verify", "0001-01-01"), "between")


def test_ingest_of_a_device_or_folder_is_one_line(tmp_path: Path) -> None:
    one_line_exit_2(dongtai("--home", str(tmp_path), "ingest", str(tmp_path)), "cannot read")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_briefings_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert dongtai("--home", str(home), "demo").returncode in (0, 1)
    (home / "briefings").chmod(0o500)
    try:
        done = dongtai("--home", str(home), "brief", "--date", "2026-05-06", "--format", "md")
    finally:
        (home / "briefings").chmod(0o700)
    one_line_exit_2(done, "cannot write the briefing")


def test_an_unwritable_output_folder_is_a_render_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same edge as above, as root sees it: the folder refuses the write."""
    from dongtai.config import Branding
    from dongtai.errors import RenderError
    from dongtai.render import render_all
    from tests.render_samples import small

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(RenderError, match=r"cannot write the briefing to .*: Permission denied"):
        render_all(small(), Branding(), ["md"], tmp_path / "out")


def test_ipv6_loopback_is_allowed_like_127_0_0_1_with_private_networks() -> None:
    private = AddressPolicy.build(allow_private=True, networks=[])
    assert private.refusal("::1") is None and private.refusal("127.0.0.1") is None
    default = AddressPolicy.build(allow_private=False, networks=[])
    assert default.refusal("::1") == "::1 is a loopback address"
    assert private.refusal("::") is not None and private.refusal("fe80::1") is not None


def test_control_characters_never_reach_the_terminal(tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    items.write_bytes(
        b'{"url": "https://example.com/\\u001b[31m", "source": "x\\u001b]0;pwn\\u0007"}\n'
    )
    done = dongtai("--home", str(tmp_path / "home"), "ingest", str(items))
    assert done.returncode == 1
    assert "\x1b" not in done.stdout + done.stderr and "\x07" not in done.stdout + done.stderr
