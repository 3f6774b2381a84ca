"""E-mail over SMTP: one message per recipient, HTML for mail clients, PDF attached.

The message is ``multipart/mixed``: a ``multipart/alternative`` with the plain text
(the Markdown rendering, readable as is) and the HTML (the WeChat rendering: every
element styled inline, no ``<style>`` block, no script, no external resource — what
mail clients keep), then the attachments named in ``attach`` (``pdf``, ``docx``).
Connection: ``security = "ssl"`` (implicit TLS, port 465), ``"starttls"`` (port 587) or
``"none"`` (port 25, e.g. a local relay); TLS certificates are verified (``ca_file``
adds a private CA); login when ``username`` is set (password from
``DONGTAI_CHANNELS__NAME__PASSWORD``). SMTP 4xx answers, refused or dropped connections
and time-outs are transient; 5xx answers (a refused login, an unknown recipient) are
permanent.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, SecretStr

from dongtai.publish.channel import Channel, DeliveryError
from dongtai.publish.issue import Issue

DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
DOCX = "vnd.openxmlformats-officedocument.wordprocessingml.document"
MIME_TYPES = {"pdf": ("application", "pdf"), "docx": ("application", DOCX)}


def _pdf() -> list[Literal["pdf", "docx"]]:
    return ["pdf"]


class EmailOptions(BaseModel):
    host: str = Field(description="SMTP server")
    port: int = Field(0, ge=0, le=65535, description="0: 465 (ssl), 587 (starttls), 25 (none)")
    security: Literal["ssl", "starttls", "none"] = Field("ssl", description="Transport security")
    username: str = Field("", description="Login; empty: no authentication")
    password: SecretStr = Field(SecretStr(""), description="Password (from the environment)")
    sender: str = Field(description="From address")
    recipients: list[str] = Field(default_factory=list, description="One message to each")
    attach: list[Literal["pdf", "docx"]] = Field(default_factory=_pdf, description="Attached")
    ca_file: Path | None = Field(None, description="Extra CA certificates (PEM) to trust")
    subject: str = Field("{title}", description="Subject; {title} and {date} are replaced")


class EmailChannel(Channel):
    Options: ClassVar[type[BaseModel]] = EmailOptions
    options: EmailOptions

    @property
    def formats(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("md", "wechat", *self.options.attach)

    def recipients(self) -> list[str]:
        return list(self.options.recipients)

    def parts(self, issue: Issue, recipient: str) -> list[Any]:
        subject = self.options.subject.format(title=issue.title, date=issue.date.isoformat())
        message = self._message(recipient, subject)
        text = issue.text("md")
        if issue.page_url:
            text += f"\n网页版：{issue.page_url}\n"
        message.set_content(text)
        message.add_alternative(_html_document(issue.text("wechat")), subtype="html")
        for fmt in self.options.attach:
            maintype, subtype = MIME_TYPES[fmt]
            name = f"briefing-{issue.date}.{fmt}"
            message.add_attachment(issue.read(fmt), maintype, subtype, filename=name)
        return [message]

    def notice_parts(self, subject: str, text: str) -> list[Any]:
        messages = []
        for recipient in self.options.recipients:
            message = self._message(recipient, f"[dongtai] {subject}")
            message.set_content(text)
            messages.append(message)
        return messages

    def _message(self, recipient: str, subject: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.options.sender
        message["To"] = recipient
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=self.options.sender.rpartition("@")[2] or None)
        return message

    def send(self, part: Any, recipient: str, delivery_id: str) -> str:
        message: EmailMessage = part
        if "X-Dongtai-Delivery" not in message:
            message["X-Dongtai-Delivery"] = delivery_id
        try:
            with self._connect() as smtp:
                refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, why = next(iter(exc.recipients.values()))
            raise _smtp_error("recipient refused", code, why) from exc
        except smtplib.SMTPResponseException as exc:
            raise _smtp_error("SMTP", exc.smtp_code, exc.smtp_error) from exc
        except ssl.SSLError as exc:
            raise DeliveryError(f"TLS failed: {exc}") from exc
        except smtplib.SMTPNotSupportedError as exc:  # e.g. no AUTH offered: settings
            raise DeliveryError(f"SMTP server: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:  # dropped, refused, timed out
            failure = f"SMTP connection failed: {type(exc).__name__}: {exc}"
            raise DeliveryError(failure, transient=True) from exc
        if refused:
            raise DeliveryError(f"recipients refused: {sorted(refused)}")
        return f"250 accepted for {message['To']}"

    def _connect(self) -> smtplib.SMTP:
        o = self.options
        port = o.port or DEFAULT_PORTS[o.security]
        timeout = self.policy.timeout
        context = ssl.create_default_context(cafile=str(o.ca_file) if o.ca_file else None)
        smtp: smtplib.SMTP
        if o.security == "ssl":
            smtp = smtplib.SMTP_SSL(o.host, port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(o.host, port, timeout=timeout)
        try:
            if o.security == "starttls":
                smtp.starttls(context=context)
            if o.username:
                smtp.login(o.username, o.password.get_secret_value())
        except BaseException:
            smtp.close()
            raise
        return smtp


def _smtp_error(what: str, code: int, why: bytes | str) -> DeliveryError:
    text = why.decode(errors="replace") if isinstance(why, bytes) else str(why)
    return DeliveryError(f"{what}: {code} {text}", transient=400 <= code < 500)


def _html_document(body: str) -> str:
    head = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>'
    return f'{head}<body style="margin:0;padding:12px">{body}</body></html>\n'
