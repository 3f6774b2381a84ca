"""The exception tree of dongtai.

One root, :class:`DongtaiError`; the CLI and web edges turn it into a one-line
message. Per-item problems (a bad JSONL line, an unsupported claim) are not raised:
they are returned as values (see :class:`dongtai.models.LineError`) so one bad item
never stops the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


class DongtaiError(Exception):
    """Root of every error dongtai raises on purpose."""


class ConfigError(DongtaiError):
    """Settings or a registry file are invalid."""


class InputError(DongtaiError):
    """A file or argument given by the user cannot be used."""


class StoreError(DongtaiError):
    """The database cannot be opened, migrated or written."""


class StageError(DongtaiError):
    """A pipeline stage cannot run (for example its input was never produced)."""


class PluginError(DongtaiError):
    """A writer or renderer is unknown or failed to load."""


class RenderError(DongtaiError):
    """A renderer cannot produce its file (for example an unreadable logo)."""


class PartialRender(RenderError):
    """Some formats failed; the others were published (``written``)."""

    def __init__(self, failed: dict[str, str], written: list[Path]) -> None:
        reasons = "; ".join(f"{name}: {reason}" for name, reason in failed.items())
        names = ", ".join(path.name for path in written) or "nothing"
        super().__init__(f"rendering failed for {reasons} (published: {names})")
        self.failed = failed
        self.written = written


class LlmError(DongtaiError):
    """An LLM call gave no usable answer after its retries (the writer falls back)."""


class FetchError(DongtaiError):
    """A request that did not give a usable response; ``reason`` says why in one line."""

    def __init__(self, reason: str, url: str = "", blocked: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.url = url
        self.blocked = blocked


class RobotsDisallowed(FetchError):
    """robots.txt of the origin disallows the URL for our User-Agent."""


class BodyTooLarge(FetchError):
    """A response body passed the size limit while it was read or decoded."""


class ParseError(DongtaiError):
    """A document cannot be read as what its source says it is."""


class BlockedAddress(DongtaiError):
    """A connection was refused by the SSRF guard."""


class BrokerError(DongtaiError):
    """The task queue cannot be used: no broker configured, unreachable, or the
    ``workers`` extra missing."""


class DeliveryError(DongtaiError):
    """A message was not accepted. ``transient``: worth retrying later."""

    def __init__(
        self, message: str, transient: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after
