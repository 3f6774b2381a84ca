"""The e-mail channel against a real SMTP server on 127.0.0.1 (aiosmtpd): plain,
STARTTLS with login, implicit TLS; the message's parts; 4xx retried, 5xx permanent."""

from __future__ import annotations

import shutil
import socket
import ssl
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from dongtai.config import ChannelSettings, Settings, load_settings
from dongtai.publish.deliver import publish_issue
from tests.conftest import DEMO_DATE
from tests.test_publish_deliver import built_home  # noqa: F401  (module fixture)


class Inbox:
    """aiosmtpd handler: keeps messages; answers the scripted codes first."""

    def __init__(self, codes: list[str] | None = None, refuse: str = "") -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.codes = list(codes or [])
        self.refuse = refuse

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address == self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.codes:
            return self.codes.pop(0)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted"


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"desk", b"pa55")
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def home(built_home: Path, tmp_path: Path) -> Path:  # noqa: F811
    copy = tmp_path / "home"
    shutil.copytree(built_home, copy)
    return copy


@pytest.fixture
def smtp(ca: trustme.CA) -> Iterator[Any]:
    controllers: list[Controller] = []

    def start(inbox: Inbox, mode: str = "none") -> int:
        port = _free_port()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        kwargs: dict[str, Any] = {"hostname": "127.0.0.1", "port": port}
        if mode == "ssl":
            kwargs["ssl_context"] = context
            kwargs["authenticator"] = _authenticate
            kwargs["auth_require_tls"] = False  # the whole session is TLS already
        if mode == "starttls":
            kwargs.update(tls_context=context, require_starttls=True, authenticator=_authenticate,
                          auth_required=True)  # fmt: skip
        controller = Controller(inbox, **kwargs)
        controller.start()
        controllers.append(controller)
        return port

    yield start
    for controller in controllers:
        controller.stop()


def configured(home: Path, port: int, ca_file: Path | None = None, **options: Any) -> Settings:
    s = load_settings(home=home)
    table = {"host": "127.0.0.1", "port": port, "security": "none", "sender": "brief@example.org",
             "recipients": ["a@example.org", "b@example.org"], **options}  # fmt: skip
    if ca_file:
        table["ca_file"] = str(ca_file)
    policy_ = s.publish.model_copy(update={"backoff": 0.01, "channels": ["email"]})
    return s.model_copy(
        update={"publish": policy_, "channels": {"email": ChannelSettings(**table)}}
    )


def test_one_message_per_recipient_with_html_text_and_pdf(home: Path, smtp: Any) -> None:
    inbox = Inbox()
    s = configured(home, smtp(inbox))
    report = publish_issue(s, DEMO_DATE)
    assert report.ok and len(report.deliveries) == 2
    assert sorted(rcpt for rcpt, _ in inbox.messages) == [["a@example.org"], ["b@example.org"]]
    _, message = inbox.messages[0]
    assert message.get_content_type() == "multipart/mixed"
    body = message.get_body(("html",))
    plain = message.get_body(("plain",))
    assert body is not None and plain is not None
    html = body.get_content()
    assert "<style" not in html and "<script" not in html and 'style="' in html
    assert "摘要" in html and "摘要" in plain.get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "briefing-2026-05-06.pdf"
    assert attachment.get_content()[:5] == b"%PDF-"
    assert len(message["X-Dongtai-Delivery"]) == 32
    assert publish_issue(s, DEMO_DATE).already == 2 and len(inbox.messages) == 2


def test_starttls_with_login(home: Path, smtp: Any, ca: trustme.CA, tmp_path: Path) -> None:
    inbox = Inbox()
    port = smtp(inbox, "starttls")
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    s = configured(home, port, ca_file, security="starttls", username="desk", password="pa55")
    assert publish_issue(s, DEMO_DATE).ok and len(inbox.messages) == 2


def test_implicit_tls_and_a_refused_login(
    home: Path, smtp: Any, ca: trustme.CA, tmp_path: Path
) -> None:
    inbox = Inbox()
    port = smtp(inbox, "ssl")
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    s = configured(home, port, ca_file, security="ssl", username="desk", password="wrong")
    report = publish_issue(s, DEMO_DATE)
    assert all(d.status == "failed" and d.permanent and d.attempts == 1 for d in report.deliveries)
    assert "535" in report.deliveries[0].response and not inbox.messages
    good = configured(home, port, ca_file, security="ssl", username="desk", password="pa55")
    assert publish_issue(good, DEMO_DATE, None).failed  # permanent: not retried by a re-run


def test_an_untrusted_certificate_is_refused(home: Path, smtp: Any) -> None:
    port = smtp(Inbox(), "ssl")
    s = configured(home, port, security="ssl")
    [first, _] = publish_issue(s, DEMO_DATE).deliveries
    assert first.status == "failed" and first.permanent and "TLS" in first.response


def test_4xx_is_retried_and_an_unknown_mailbox_is_permanent(home: Path, smtp: Any) -> None:
    inbox = Inbox(codes=["451 4.3.0 try again later"], refuse="b@example.org")
    s = configured(home, smtp(inbox))
    by_recipient = {d.recipient: d for d in publish_issue(s, DEMO_DATE).deliveries}
    assert by_recipient["a@example.org"].status == "delivered"
    assert by_recipient["a@example.org"].attempts == 2
    refused = by_recipient["b@example.org"]
    assert refused.status == "failed" and refused.permanent and "550" in refused.response
