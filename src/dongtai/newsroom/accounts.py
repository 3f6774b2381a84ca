"""Accounts of the web app: users with a role, argon2 password hashes, sessions, and a
limit on failed logins.

Rules it applies:

* roles are ``editor`` and ``admin``; a name is 1–64 printable characters without
  blanks; a password has at least 8 characters;
* passwords are stored only as argon2id hashes (argon2-cffi defaults), rehashed on login
  when the parameters changed;
* a session is a random 256-bit token held by the browser; the store keeps only its
  SHA-256, the user, its CSRF token and its expiry (12 hours);
* failed logins are counted per client address and per user name: after 5 failures in
  15 minutes, further attempts are refused until the oldest failure leaves the window.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dongtai.errors import InputError
from dongtai.store.desk import Desk, User, now

__all__ = ["ROLES", "Login", "LoginLimiter", "add_user", "log_in", "log_out", "session"]

ROLES = ("editor", "admin")
SESSION_HOURS = 12
MIN_PASSWORD = 8
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Login:
    """A session just opened: the cookie's token and the session's CSRF token."""

    token: str
    csrf: str
    user: User


def add_user(desk: Desk, name: str, role: str, password: str) -> None:
    """Create (or update) a user; :class:`InputError` for a bad name, role or password."""
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if not 0 < len(name) <= 64 or not name.isprintable() or any(c.isspace() for c in name):
        raise InputError("a user name is 1 to 64 printable characters without blanks")
    if len(password) < MIN_PASSWORD:
        raise InputError(f"a password needs at least {MIN_PASSWORD} characters")
    desk.add_user(name, role, _hasher.hash(password))


def log_in(desk: Desk, name: str, password: str) -> Login | None:
    """A new session when the password is right, else ``None`` (same time either way)."""
    user = desk.user(name)
    stored = user.password_hash if user else _DUMMY
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(stored):
        desk.set_password_hash(user.id, _hasher.hash(password))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    desk.add_session(_digest(token), user.id, csrf, now() + timedelta(hours=SESSION_HOURS))
    return Login(token, csrf, user)


def session(desk: Desk, token: str) -> tuple[User, str] | None:
    """The user and CSRF token of a session cookie's token, if the session is live."""
    return desk.session_user(_digest(token)) if token else None


def log_out(desk: Desk, token: str) -> None:
    desk.drop_session(_digest(token))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


class LoginLimiter:
    """Failed logins per key (client address, user name) in a sliding window."""

    def __init__(self, limit: int = 5, window_seconds: float = 15 * 60) -> None:
        self.limit, self.window = limit, window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def blocked(self, *keys: str) -> bool:
        moment = time.monotonic()
        return any(len(self._recent(key, moment)) >= self.limit for key in keys)

    def failed(self, *keys: str) -> None:
        moment = time.monotonic()
        for key in keys:
            self._recent(key, moment).append(moment)

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)

    def _recent(self, key: str, moment: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= moment - self.window:
            failures.popleft()
        return failures
