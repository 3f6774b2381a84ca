"""Settings, declared once.

Every setting has a name, a type, a default and a help text here and nowhere else.
Precedence, lowest first: defaults < the workspace file ``HOME/dongtai.toml`` (or the
file named by ``DONGTAI_CONFIG``) < environment variables ``DONGTAI_<NAME>`` (nested:
``DONGTAI_BRANDING__TITLE``) < values given on the command line.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from dongtai.errors import ConfigError

CONFIG_FILE_NAME = "dongtai.toml"


class Branding(BaseModel):
    """Who publishes the bulletin: shown in the title block, footer and about block."""

    title: str = Field("新质生产力每日动态", description="Bulletin name")
    issuer: str = Field("中国高技术产业发展促进会新质生产力工作委员会", description="Issuer line")
    partners: list[str] = Field(default_factory=lambda: ["博雅云创", "中科创新驱动"])
    site_url: str = Field("https://gyznsw.cn", description="Web site shown in the contact block")
    about: str = Field(
        "本刊每日汇总半导体、人工智能、生物医药、量子科技、新能源等战略性产业的重要动态，"
        "所有事实与数字均标注出处，供决策参考。",
        description="About text printed at the end of each issue",
    )


class Settings(BaseSettings):
    """All settings of dongtai (see the module docstring for precedence)."""

    model_config = SettingsConfigDict(
        env_prefix="DONGTAI_", env_nested_delimiter="__", extra="ignore"
    )

    home: Path = Field(
        Path.home() / ".dongtai", description="Workspace: database, briefings, cache"
    )
    database_url: str = Field(
        "", description="SQLAlchemy URL; empty means a SQLite file HOME/dongtai.db"
    )
    timezone: str = Field("Asia/Shanghai", description="Time zone of issue dates")
    window_hours: int = Field(48, ge=1, le=24 * 14, description="Hours before the issue date")
    writer: str = Field("extractive", description="Writer plugin")
    formats: list[str] = Field(
        default_factory=lambda: ["md", "html", "json"], description="Renderer plugins"
    )
    min_sections: int = Field(3, ge=1, description="Fewest sections when enough stories")
    max_sections: int = Field(4, ge=1, le=12, description="Most sections in an issue")
    min_outlets: int = Field(2, ge=1, description="Outlets a story needs to lead a section")
    default_weight: float = Field(0.4, ge=0, le=1, description="Authority of unknown outlets")
    branding: Branding = Field(default_factory=Branding)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _FileSource(settings_cls))

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'dongtai.db'}"

    @property
    def briefings_dir(self) -> Path:
        return self.home / "briefings"


class _FileSource(PydanticBaseSettingsSource):
    """Reads ``dongtai.toml`` from the workspace chosen by CLI or environment."""

    def __init__(self, settings_cls: type[BaseSettings], home: Path | None = None) -> None:
        super().__init__(settings_cls)
        self.path = _config_path(home)

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        if self.path is None or not self.path.is_file():
            return {}
        try:
            return tomllib.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read settings file {self.path}: {exc}") from exc


def _config_path(home: Path | None) -> Path | None:
    explicit = os.environ.get("DONGTAI_CONFIG")
    if explicit:
        return Path(explicit)
    home = home or (Path(os.environ["DONGTAI_HOME"]) if os.environ.get("DONGTAI_HOME") else None)
    return home / CONFIG_FILE_NAME if home else None


def load_settings(**overrides: Any) -> Settings:
    """Settings with CLI ``overrides`` on top; ``None`` values mean "not given"."""
    given = {k: v for k, v in overrides.items() if v is not None}
    home = given.get("home")
    try:
        if home is not None:
            # the file lives in the home given on the command line
            file_values = _FileSource(Settings, Path(home))()
            merged = {**file_values, **_env_values(), **given}
            return Settings.model_validate(merged)
        return Settings(**given)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"invalid setting {where}: {first['msg']}") from exc


def _env_values() -> dict[str, Any]:
    """Environment values alone, parsed as pydantic-settings parses them."""

    class _EnvOnly(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (env_settings,)

    env = _EnvOnly()
    return env.model_dump(exclude_unset=True)
