"""Content-Encoding decoding with the size limit checked while decoding.

A compressed body is decoded chunk by chunk, each decompressor asked for no more
output than the bytes still allowed (zlib ``max_length``, brotli
``output_buffer_limit``), so a 1.6 KB brotli body that would decode to 1 GiB stops at
the limit without ever holding more than the limit in memory. ``gzip``, ``x-gzip``,
``deflate`` (zlib-wrapped or raw), ``br`` and ``identity`` are understood; several
encodings are undone in reverse order; any other is refused.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Protocol

import brotli

from dongtai.errors import BodyTooLarge, FetchError


class _Step(Protocol):
    def feed(self, data: bytes, room: int) -> bytes: ...

    def pending(self) -> bool: ...


class _Zlib:
    def __init__(self, wbits: int, raw_fallback: bool = False) -> None:
        self.inner = zlib.decompressobj(wbits)
        self.raw_fallback = raw_fallback
        self.tail = b""

    def feed(self, data: bytes, room: int) -> bytes:
        data = self.tail + data
        try:
            out = self.inner.decompress(data, room)
        except zlib.error:
            if not self.raw_fallback:
                raise
            self.raw_fallback = False  # "deflate" sent without the zlib wrapper
            self.inner = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self.inner.decompress(data, room)
        self.raw_fallback = False
        self.tail = self.inner.unconsumed_tail
        return out

    def pending(self) -> bool:
        return bool(self.tail)


class _Brotli:
    def __init__(self) -> None:
        self.inner = brotli.Decompressor()

    def feed(self, data: bytes, room: int) -> bytes:
        out: bytes = self.inner.process(data, output_buffer_limit=room)
        return out

    def pending(self) -> bool:
        return not self.inner.can_accept_more_data()


class _Identity:
    def feed(self, data: bytes, room: int) -> bytes:
        return data

    def pending(self) -> bool:
        return False


_STEPS: dict[str, Callable[[], _Step]] = {
    "gzip": lambda: _Zlib(16 + zlib.MAX_WBITS),
    "x-gzip": lambda: _Zlib(16 + zlib.MAX_WBITS),
    "deflate": lambda: _Zlib(zlib.MAX_WBITS, raw_fallback=True),
    "br": _Brotli,
    "identity": _Identity,
}


class BoundedDecoder:
    """Undoes a Content-Encoding; :meth:`feed` raises :class:`BodyTooLarge` past ``limit``."""

    def __init__(self, content_encoding: str, limit: int, url: str = "") -> None:
        names = [n.strip().lower() for n in content_encoding.split(",") if n.strip()]
        unknown = [n for n in names if n not in _STEPS]
        if unknown:
            raise FetchError(f"unsupported Content-Encoding {unknown[0]!r}", url)
        self.steps = [_STEPS[name]() for name in reversed(names)]
        self.limit = limit
        self.size = 0
        self.produced = [0] * len(self.steps)
        self.url = url

    def feed(self, chunk: bytes) -> bytes:
        """The decoded bytes of one raw chunk (no step ever yields more than the limit)."""
        data = chunk
        for index, step in enumerate(self.steps):
            data = self._through(index, step, data)
        self.size += len(data)
        if self.size > self.limit:
            raise self._too_large()
        return data

    def _through(self, index: int, step: _Step, data: bytes) -> bytes:
        parts: list[bytes] = []
        try:
            while True:
                piece = step.feed(data, self.limit - self.produced[index] + 1)
                self.produced[index] += len(piece)
                if self.produced[index] > self.limit:
                    raise self._too_large()
                parts.append(piece)
                data = b""
                if not step.pending():
                    return b"".join(parts)
        except (zlib.error, brotli.error) as exc:
            raise FetchError(f"body does not decode: {exc}", self.url) from None

    def _too_large(self) -> BodyTooLarge:
        return BodyTooLarge(
            f"body exceeds the {self.limit:,}-byte limit (cut while decoding)", self.url
        )
