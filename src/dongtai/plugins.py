"""Plugin lookup: writers, renderers and channels are found through entry points.

Built-ins are registered in ``pyproject.toml`` under the same groups as third-party
plugins (``dongtai.writers``, ``dongtai.renderers``, ``dongtai.channels``), so a package
that declares an entry point in one of these groups adds a writer, a format or a
delivery channel without touching dongtai.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from typing import Any

from dongtai.errors import PluginError

WRITERS = "dongtai.writers"
RENDERERS = "dongtai.renderers"
CHANNELS = "dongtai.channels"


@cache
def available(group: str) -> dict[str, Any]:
    """Name → entry point for every plugin installed in ``group``."""
    return {ep.name: ep for ep in entry_points(group=group)}


def load(group: str, name: str) -> Any:
    """The object registered as ``name`` in ``group``; a clear error when unknown."""
    plugins = available(group)
    if name not in plugins:
        known = ", ".join(sorted(plugins)) or "none"
        raise PluginError(f"unknown {group.split('.')[-1][:-1]} {name!r} (available: {known})")
    try:
        return plugins[name].load()
    except Exception as exc:  # a broken third-party plugin must not look like our bug
        raise PluginError(f"plugin {name!r} in {group} failed to load: {exc}") from exc
