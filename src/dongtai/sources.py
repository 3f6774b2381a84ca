"""The source registry: outlets with names, language, authority weight and topics.

The shipped registry (``data/sources.yaml``, parsed once per process) is read first,
then the workspace's ``HOME/sources.yaml`` on top (same id replaces). An item names its
outlet by registry id or by any alias (case-insensitive); an outlet nobody registered
is accepted as an unknown source with the configured default weight, its name used as
is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from dongtai.errors import ConfigError
from dongtai.models import Source

WORKSPACE_REGISTRY = "sources.yaml"


@dataclass(frozen=True)
class Organisation:
    """An organisation and every name it goes by, in any language."""

    id: str
    names: tuple[str, ...]


@dataclass
class Registry:
    """Sources by id, with an alias index, and the bilingual organisation table."""

    sources: dict[str, Source]
    organisations: tuple[Organisation, ...] = ()
    _aliases: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for source in self.sources.values():
            for name in (source.id, source.name_en, source.name_zh, source.short, *source.aliases):
                if name:
                    self._aliases.setdefault(_key(name), source.id)

    def resolve(self, name: str, default_weight: float) -> Source:
        """The registered source called ``name``, or a new unknown one."""
        source_id = self._aliases.get(_key(name))
        if source_id is not None:
            return self.sources[source_id]
        clean = " ".join(name.split())
        return Source(id=clean, name_en=clean, name_zh=clean, weight=default_weight, known=False)

    def organisation_names(self) -> dict[str, str]:
        """Every organisation name (and every source name) → organisation id."""
        names: dict[str, str] = {}
        for org in self.organisations:
            for name in org.names:
                names.setdefault(name, org.id)
        for source in self.sources.values():
            for name in (source.name_en, source.name_zh, source.short, *source.aliases):
                if len(name) >= 2:
                    names.setdefault(name, source.id)
        return names


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()


def load_registry(home: Path | None = None) -> Registry:
    """The shipped registry, with the workspace's file (if any) on top."""
    shipped, shipped_orgs = _shipped()
    sources, orgs = dict(shipped), list(shipped_orgs)
    if home is not None and (home / WORKSPACE_REGISTRY).is_file():
        path = home / WORKSPACE_REGISTRY
        extra_sources, extra_orgs = _parse(path.read_text("utf-8"), str(path))
        sources.update(extra_sources)
        orgs = [*orgs, *extra_orgs]
    return Registry(sources=sources, organisations=tuple(orgs))


@cache
def _shipped() -> tuple[tuple[tuple[str, Source], ...], tuple[Organisation, ...]]:
    """The shipped registry, read once per process (its records are immutable)."""
    text = resources.files("dongtai").joinpath("data/sources.yaml").read_text("utf-8")
    sources, orgs = _parse(text, "shipped registry")
    return tuple(sources.items()), tuple(orgs)


def read_yaml(text: str) -> Any:
    """YAML → data, with libyaml's C loader where PyYAML has it (ten times faster)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _parse(text: str, where: str) -> tuple[dict[str, Source], list[Organisation]]:
    try:
        data: Any = read_yaml(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping with 'sources' and 'organisations'")
    sources: dict[str, Source] = {}
    for n, entry in enumerate(data.get("sources") or [], start=1):
        try:
            source = Source.model_validate(entry)
        except ValidationError as exc:
            raise ConfigError(f"{where}: source #{n}: {_first_error(exc)}") from exc
        if source.id in sources:
            raise ConfigError(f"{where}: source id {source.id!r} appears twice")
        sources[source.id] = source
    orgs = [
        Organisation(id=str(entry["id"]), names=tuple(str(n) for n in entry.get("names", [])))
        for entry in data.get("organisations") or []
    ]
    return sources, orgs


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    return f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
