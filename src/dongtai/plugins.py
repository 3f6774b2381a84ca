"""Plugins: writers, renderers and channels are found through entry points.

Built-ins are registered in ``pyproject.toml`` under the same groups as third-party
plugins (``dongtai.writers``, ``dongtai.renderers``, ``dongtai.channels``), so a package
that declares an entry point in one of these groups adds a writer, a format or a
delivery channel without touching dongtai.

Every plugin is a class with a ``name`` and a ``from_settings(settings)`` classmethod
that builds it from the run's settings (and fails there, with a clear error, when its
settings are incomplete). :func:`load_writer` and :func:`load_renderer` return the
class, checked against its protocol; only the entry point's own module is imported.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any

from dongtai.errors import PluginError

if TYPE_CHECKING:
    from dongtai.render import Renderer
    from dongtai.writers import Writer

WRITERS = "dongtai.writers"
RENDERERS = "dongtai.renderers"
CHANNELS = "dongtai.channels"


@cache
def available(group: str) -> dict[str, EntryPoint]:
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


def load_writer(name: str) -> type[Writer]:
    """The writer class registered as ``name``."""
    writer: type[Writer] = _checked(load(WRITERS, name), name, ("name", "from_settings", "write"))
    return writer


def load_renderer(name: str) -> type[Renderer]:
    """The renderer class registered as ``name``."""
    required = ("name", "extension", "from_settings", "render")
    renderer: type[Renderer] = _checked(load(RENDERERS, name), name, required)
    return renderer


def _checked(plugin: Any, name: str, required: tuple[str, ...]) -> Any:
    missing = [attr for attr in required if not hasattr(plugin, attr)]
    if not isinstance(plugin, type) or missing:
        lacks = ", ".join(missing) or "a class"
        raise PluginError(f"plugin {name!r} is not a usable plugin: it lacks {lacks}")
    return plugin
