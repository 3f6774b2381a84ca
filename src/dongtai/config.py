"""Settings, declared once.

Every setting has a name, a type, a default and a help text here and nowhere else.
Precedence, lowest first: defaults < the workspace file ``HOME/dongtai.toml`` (or the
file named by ``DONGTAI_CONFIG``) < environment variables ``DONGTAI_<NAME>`` (nested:
``DONGTAI_BRANDING__TITLE``) < values given on the command line.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

from dongtai.errors import ConfigError

CONFIG_FILE_NAME = "dongtai.toml"
_HEX = r"^#[0-9a-fA-F]{6}$"


def http_url(value: str) -> str:
    """An absolute http(s) URL, without surrounding white space."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"must be an absolute http(s) URL, got {value!r}")
    return value.strip()


def http_root(value: str) -> str:
    """An optional http(s) base URL without its trailing slash ("" stays "")."""
    value = value.strip().rstrip("/")
    parts = urlsplit(value)
    if value and (parts.scheme not in ("http", "https") or not parts.hostname):
        raise ValueError(f"must be an http(s) URL such as http://127.0.0.1:1200, got {value!r}")
    return value


HttpUrl = Annotated[str, AfterValidator(http_url)]
HttpRoot = Annotated[str, AfterValidator(http_root)]


class BrandColors(BaseModel):
    """Colours of the PDF, HTML, WeChat and DOCX renderings, as ``#rrggbb``."""

    primary: str = Field("#8b1a1a", pattern=_HEX, description="Title, rules, section numbers")
    accent: str = Field("#1f4e8c", pattern=_HEX, description="Links and subsection numbers")
    text: str = Field("#1a1a1a", pattern=_HEX, description="Body text")
    muted: str = Field("#5c5c5c", pattern=_HEX, description="Issuer, dates, header and footer")


class QrTarget(BaseModel):
    """One QR code of the contact block: the http(s) URL it encodes and its caption."""

    label: str = Field(description="Caption under the code; a newline starts a second line")
    url: HttpUrl = Field(description="Absolute http(s) URL the code encodes")


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
    colors: BrandColors = Field(default_factory=lambda: BrandColors())
    logo: Path | None = Field(None, description="Logo (SVG, PNG or JPEG) in the PDF title block")
    contact_title: str = Field("联系我们，请扫描二维码", description="Heading of the contact block")
    qr_codes: list[QrTarget] = Field(
        default_factory=lambda: [
            QrTarget(label="新质生产力工作委员会\n官方公众号", url="https://mp.weixin.qq.com/"),
            QrTarget(label="工业智能算网\ngyznsw.cn", url="https://gyznsw.cn"),
        ],
        description="QR codes of the contact block (official account, web site)",
    )
    footer: str = Field("", description="Left part of the running footer; empty: the issuer")
    issue_first: date | None = Field(
        date(2026, 1, 1), description="Date of issue no. 1; none: issues carry no number"
    )
    issue_label: str = Field(
        "第 {n} 期",
        description="Issue number as printed: {n} = days since issue_first + 1, {year}, "
        "{n_year} = day of the year",
    )
    body_fonts: list[str] = Field(
        default_factory=lambda: ["Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "SimSun"],
        description="PDF body font families, first installed one wins (bundled: Noto Serif SC)",
    )
    heading_fonts: list[str] = Field(
        default_factory=lambda: ["Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "SimHei"],
        description="PDF heading font families, first installed one wins (bundled: Noto Sans SC)",
    )
    font_dirs: list[Path] = Field(default_factory=list, description="Extra font folders for PDF")

    @field_validator("issue_label")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        try:
            value.format(n=1, year=2026, n_year=1)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"use only {{n}}, {{year}} and {{n_year}}: {exc}") from None
        return value


class FetchSettings(BaseModel):
    """How ``dongtai fetch`` reaches sources: politeness, limits, retries, security."""

    user_agent: str = Field("dongtai/0.1", description="User-Agent product token and version")
    contact: str = Field(
        "", description="Operator contact (URL or mailto:) appended to the User-Agent"
    )
    concurrency: int = Field(16, ge=1, le=512, description="Requests in flight, all hosts")
    per_host: int = Field(2, ge=1, le=32, description="Requests in flight to one host")
    per_host_delay: float = Field(
        1.0, ge=0, le=120, description="Seconds between request starts to one host"
    )
    connect_timeout: float = Field(10.0, gt=0, description="Seconds to connect")
    read_timeout: float = Field(30.0, gt=0, description="Seconds to wait for each read")
    max_body_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="Largest response body read (decoded bytes)"
    )
    retries: int = Field(2, ge=0, le=10, description="Retries on 429, 5xx and network errors")
    backoff: float = Field(1.0, ge=0, description="First retry delay in seconds, doubled each time")
    max_retry_after: float = Field(
        120.0, ge=0, description="Longest Retry-After honoured; a longer one fails the request"
    )
    max_redirects: int = Field(5, ge=0, le=20, description="Redirects followed per request")
    robots: bool = Field(True, description="Obey robots.txt (and its Crawl-delay)")
    allow_private_network: bool = Field(
        False, description="Allow private and loopback addresses (never link-local/metadata)"
    )
    allowed_networks: list[str] = Field(
        default_factory=list, description="CIDR allow-list checked before the SSRF refusal"
    )
    rsshub_url: HttpRoot = Field(
        "",
        description="Base URL of the RSSHub instance that serves sources of kind rsshub"
        " (e.g. http://127.0.0.1:1200); empty: those sources are not fetched",
    )
    rsshub_private: bool = Field(
        True,
        description="The RSSHub instance may be on a private or loopback address: its host"
        " and port only, never other private addresses (nor link-local/metadata ones)",
    )
    full_text_below: int = Field(
        600, ge=0, description="Fetch the article page when a feed entry's text is shorter"
    )
    max_articles: int = Field(50, ge=1, description="Most article pages fetched per source and run")
    failing_after: int = Field(
        3, ge=1, description="Consecutive failed runs after which a source is flagged"
    )
    request_deadline: float = Field(
        120.0, gt=0, description="Seconds one request may take in all (retries included)"
    )
    source_deadline: float = Field(
        600.0, gt=0, description="Seconds one source may take in all (feed and its pages)"
    )
    page_retry_backoff: float = Field(
        3600.0, ge=0, description="Seconds before a failed article page is tried again (doubled)"
    )
    page_retries: int = Field(
        6, ge=0, description="Later runs that try a summary-only item's page again"
    )


class IngestSettings(BaseModel):
    """Limits on what enters the store, from files and fetches alike (longer text is cut)."""

    max_title_chars: int = Field(500, ge=20, description="Longest title kept (characters)")
    max_summary_chars: int = Field(5_000, ge=100, description="Longest summary kept")
    max_text_chars: int = Field(200_000, ge=1_000, description="Longest body text kept")
    max_authors: int = Field(20, ge=1, description="Most authors kept per item")
    max_url_chars: int = Field(2_000, ge=100, le=2_000, description="Longest item URL accepted")
    max_file_bytes: int = Field(
        512 * 1024 * 1024, ge=1024, description="Largest input file read (ingest, verify)"
    )
    enrich: bool = Field(
        True,
        description="Compute what an item says whatever the day (embeddings, signals) when "
        "it is stored; off, brief computes it on first use",
    )


LLM_TASKS = ("title", "facts", "implications", "abstract", "relevance")
LLM_FLAT_ENV = {
    "DONGTAI_LLM_BASE_URL": "base_url",
    "DONGTAI_LLM_MODEL": "model",
    "DONGTAI_LLM_API_KEY": "api_key",
}


class ModelPrice(BaseModel):
    """What one model costs, per million tokens, in ``LlmSettings.currency``."""

    input: float = Field(0.0, ge=0, description="Per million prompt tokens")
    output: float = Field(0.0, ge=0, description="Per million completion tokens")


class LlmSettings(BaseModel):
    """The ``llm`` writer: any OpenAI-compatible chat-completions endpoint, its limits,
    the response cache and prices. ``DONGTAI_LLM_BASE_URL``, ``DONGTAI_LLM_MODEL`` and
    ``DONGTAI_LLM_API_KEY`` set the first three (so do ``DONGTAI_LLM__BASE_URL`` …)."""

    base_url: HttpRoot = Field(
        "", description="API root, e.g. https://api.deepseek.com/v1 (+ /chat/completions)"
    )
    model: str = Field("", description="Model of every task that has none of its own")
    api_key: SecretStr = Field(SecretStr(""), description="Bearer token; empty for local servers")
    task_models: dict[str, str] = Field(
        default_factory=dict,
        description="Per-task models: title, facts, implications, abstract, relevance",
    )
    temperature: float = Field(0.2, ge=0, le=2, description="Sampling temperature")
    max_tokens: int = Field(1024, ge=16, le=65536, description="Most completion tokens per call")
    item_tokens: int = Field(
        3000, ge=200, description="Token budget of a story's items in one prompt (texts trimmed)"
    )
    stream: bool = Field(False, description="Ask for streamed (server-sent events) answers")
    response_format: Literal["json_object", "json_schema", "none"] = Field(
        "json_object", description="JSON mode requested: json_object, json_schema or none"
    )
    extra_body: dict[str, Any] = Field(
        default_factory=dict,
        description="Extra request fields, e.g. {enable_thinking = false} for DashScope",
    )
    connect_timeout: float = Field(10.0, gt=0, description="Seconds to connect")
    read_timeout: float = Field(120.0, gt=0, description="Seconds to wait for each read")
    retries: int = Field(3, ge=0, le=10, description="Retries on 429, 5xx, time-outs")
    backoff: float = Field(1.0, ge=0, description="First retry delay in seconds, doubled each time")
    max_retry_after: float = Field(
        60.0, ge=0, description="Longest Retry-After honoured; longer waits are capped"
    )
    concurrency: int = Field(4, ge=1, le=64, description="Requests in flight")
    requests_per_minute: float = Field(
        0.0, ge=0, description="Request starts per minute; 0: no limit"
    )
    relevance: bool = Field(
        False, description="Ask whether each item of a story reports its event; drop those not"
    )
    cache: bool = Field(True, description="Reuse stored answers to identical requests")
    cache_dir: Path | None = Field(None, description="Response cache; default HOME/cache/llm")
    currency: str = Field("USD", description="Currency of the prices")
    price_input: float = Field(0.0, ge=0, description="Per million prompt tokens, any model")
    price_output: float = Field(0.0, ge=0, description="Per million completion tokens, any model")
    prices: dict[str, ModelPrice] = Field(
        default_factory=dict, description="Prices of named models (override the two above)"
    )

    @field_validator("task_models")
    @classmethod
    def _known_tasks(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(LLM_TASKS))
        if unknown:
            raise ValueError(f"unknown task {unknown[0]!r} (tasks: {', '.join(LLM_TASKS)})")
        return value

    def model_for(self, task: str) -> str:
        """The model of ``task``: its own, else ``model``."""
        return self.task_models.get(task) or self.model

    def price_of(self, model: str) -> ModelPrice:
        return self.prices.get(model) or ModelPrice(
            input=self.price_input, output=self.price_output
        )


_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class PublishSettings(BaseModel):
    """How an issue reaches its readers (``dongtai run``, ``publish``, ``approve``)."""

    mode: Literal["approve", "auto"] = Field(
        "approve",
        description="approve: wait for an editor's approval; auto: publish when verified",
    )
    channels: list[str] = Field(
        default_factory=list, description="Channels an issue is sent to ([channels.NAME])"
    )
    operator: str = Field(
        "", description="Channel that receives operator notices (failures); empty: none"
    )
    public_url: HttpRoot = Field(
        "", description="Where readers find the issues (links in messages: /issues/D)"
    )
    retries: int = Field(3, ge=0, le=10, description="Retries of a transient delivery failure")
    backoff: float = Field(2.0, ge=0, description="First retry delay in seconds, doubled each time")
    max_backoff: float = Field(120.0, ge=0, description="Longest delay between two attempts")
    timeout: float = Field(30.0, gt=0, description="Seconds to wait for a channel's server")
    max_attempts: int = Field(
        12, ge=1, description="Attempts of one delivery over all runs before it is given up"
    )
    source_down_runs: int = Field(
        3, ge=1, description="Failed fetch runs in a row before the operator is told"
    )


class ScheduleSettings(BaseModel):
    """When ``dongtai schedule`` (or ``dongtai serve``) runs the day, in ``timezone``."""

    fetch_every: int = Field(60, ge=0, le=24 * 60, description="Minutes between fetches; 0: off")
    brief_at: str = Field("06:30", pattern=_CLOCK, description="HH:MM the issue is built")
    publish_deadline: str = Field(
        "07:30", pattern=_CLOCK, description="HH:MM after which a missing approval is reported"
    )
    approval_poll: int = Field(
        5, ge=1, le=120, description="Minutes between checks for an approval before the deadline"
    )
    misfire_grace: int = Field(
        180, ge=1, description="Minutes a missed job may start late (once, not once per miss)"
    )


class ChannelSettings(BaseModel):
    """One ``[channels.NAME]`` table. ``type`` names the channel plugin (default: NAME);
    the other keys are the plugin's own settings, checked by the plugin when it loads
    (secrets may come from ``DONGTAI_CHANNELS__NAME__KEY``)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field("", description="Channel plugin; empty: the table's name")

    def options(self) -> dict[str, Any]:
        """The plugin's own settings (every key but ``type``)."""
        return dict(self.model_extra or {})


class Settings(BaseModel):
    """All settings of dongtai; :func:`load_settings` reads them (precedence: see the
    module docstring). Keys nobody declared are ignored."""

    model_config = ConfigDict(extra="ignore")

    home: Path = Field(
        Path.home() / ".dongtai", description="Workspace: database, briefings, cache"
    )
    database_url: str = Field(
        "", description="SQLAlchemy URL; empty means a SQLite file HOME/dongtai.db"
    )
    broker_url: str = Field(
        "",
        description="RabbitMQ URL (amqp://…) of the task queue for `worker` and `fetch --queue`;"
        " empty: everything runs in process",
    )
    broker_queue: str = Field(
        "dongtai",
        pattern=r"^[A-Za-z0-9_.-]{1,100}$",
        description="Queue the workers take tasks from",
    )
    timezone: str = Field("Asia/Shanghai", description="Time zone of issue dates")
    window_hours: int = Field(48, ge=1, le=24 * 14, description="Hours before the issue date")
    memory_days: int = Field(
        7, ge=0, le=365, description="Days of earlier issues whose stories are not repeated"
    )
    writer: str = Field("extractive", description="Writer plugin")
    formats: list[str] = Field(
        default_factory=lambda: ["md", "html", "pdf", "json"], description="Renderer plugins"
    )
    max_sections: int = Field(6, ge=1, le=12, description="Most sections in an issue")
    max_stories: int = Field(
        8, ge=1, le=24, description="Most stories in an issue (two may share a section)"
    )
    min_outlets: int = Field(2, ge=1, description="Outlets a story needs to lead a section")
    title_chars: int = Field(30, ge=8, le=80, description="Longest section or subsection title")
    default_weight: float = Field(0.4, ge=0, le=1, description="Authority of unknown outlets")
    allow_unverified: bool = Field(
        False,
        description="Publish an issue whose verification failed (recorded in its metadata)",
    )
    branding: Branding = Field(default_factory=Branding)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    publish: PublishSettings = Field(default_factory=PublishSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    channels: dict[str, ChannelSettings] = Field(
        default_factory=dict, description="Delivery channels by name ([channels.NAME])"
    )

    def branding_in_home(self) -> Branding:
        """The branding with a relative logo or font folder taken relative to HOME."""
        b = self.branding
        logo = b.logo if b.logo is None or b.logo.is_absolute() else self.home / b.logo
        dirs = [d if d.is_absolute() else self.home / d for d in b.font_dirs]
        return b.model_copy(update={"logo": logo, "font_dirs": dirs})

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'dongtai.db'}"

    @property
    def briefings_dir(self) -> Path:
        return self.home / "briefings"


def load_settings(**overrides: Any) -> Settings:
    """Settings with CLI ``overrides`` on top; ``None`` values mean "not given"."""
    given = {k: v for k, v in overrides.items() if v is not None}
    home = given.get("home")
    try:
        merged = _deep_merge(_file_values(Path(home) if home is not None else None), _env_values())
        return Settings.model_validate(_deep_merge(merged, given))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"invalid setting {where}: {first['msg']}") from exc


def _file_values(home: Path | None) -> dict[str, Any]:
    """The settings file of the workspace chosen by CLI or environment ({} without one)."""
    path = _config_path(home)
    if path is None or not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read settings file {path}: {exc}") from exc


def _config_path(home: Path | None) -> Path | None:
    explicit = os.environ.get("DONGTAI_CONFIG")
    if explicit:
        return Path(explicit)
    home = home or (Path(os.environ["DONGTAI_HOME"]) if os.environ.get("DONGTAI_HOME") else None)
    return home / CONFIG_FILE_NAME if home else None


def _env_values() -> dict[str, Any]:
    """The settings the environment gives, unvalidated: ``DONGTAI_<NAME>`` (any case) and
    nested ``DONGTAI_<NAME>__<KEY>``, over the flat LLM names (:data:`LLM_FLAT_ENV`).

    A variable naming a plain top-level setting (text, number, yes/no, path) is its
    value as it stands; any other (nested, a table or list as JSON) is parsed by
    pydantic-settings, imported only then (it is slow to import)."""
    flat = {key: os.environ[name] for name, key in LLM_FLAT_ENV.items() if name in os.environ}
    values: dict[str, Any] = {"llm": flat} if flat else {}
    names = [n for n in os.environ if _is_setting(n)]
    plain = {n.lower()[8:]: os.environ[n] for n in names if _is_plain(n.lower()[8:])}
    if len(plain) == len(names):  # every one plain, no two spellings of one name
        return _deep_merge(values, plain)
    from pydantic_settings import EnvSettingsSource

    source = EnvSettingsSource(
        Settings,  # type: ignore[arg-type]  # reads the fields and their types only
        env_prefix="DONGTAI_",
        env_nested_delimiter="__",
        case_sensitive=False,
    )
    return _deep_merge(values, source())


def _is_setting(variable: str) -> bool:
    """Whether ``variable`` is ``DONGTAI_<NAME>`` or ``DONGTAI_<NAME>__…`` of a setting."""
    name = variable.lower()
    return name.startswith("dongtai_") and name[8:].split("__")[0] in Settings.model_fields


def _is_plain(name: str) -> bool:
    field = Settings.model_fields.get(name)
    return field is not None and field.annotation in (str, int, float, bool, Path)


def _deep_merge(low: dict[str, Any], high: dict[str, Any]) -> dict[str, Any]:
    """``high`` over ``low``, tables merged key by key (a file's ``[llm]`` keeps its model
    when the environment sets only the key)."""
    merged = dict(low)
    for key, value in high.items():
        below = merged.get(key)
        both = isinstance(below, dict) and isinstance(value, dict)
        merged[key] = _deep_merge(below, value) if both else value  # type: ignore[arg-type]
    return merged
