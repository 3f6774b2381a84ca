"""SSRF guard: which network addresses dongtai may connect to, checked at connect time.

Rules:
- a host name is resolved once per connection and **every** address it resolves to is
  checked; the connection then goes to a checked address (so a host cannot resolve to
  a public address for the check and a private one for the connection);
- allowed by default: globally routable unicast addresses only; refused: private
  (10/8, 172.16/12, 192.168/16, fc00::/7), loopback, link-local (169.254/16, fe80::/10,
  which holds the cloud metadata endpoints 169.254.169.254 and fd00:ec2::254),
  carrier-grade NAT, multicast, reserved and unspecified addresses; IPv4-mapped IPv6
  addresses are judged as the IPv4 address they carry;
- ``allow_private`` lifts the refusal for private, loopback and CGNAT ranges, never
  for link-local / metadata addresses;
- ``allowed_networks`` (CIDR list) is an explicit allow-list checked first: the tests
  list 127.0.0.0/8 there;
- ``trusted_urls`` (the RSSHub instance, when ``fetch.rsshub_private``): a connection to
  exactly that host name and port may go to a private, loopback or CGNAT address, never
  to a link-local / metadata one; other hosts and ports on the same address stay refused;
- the check runs inside the HTTP client's connection layer, so it applies to the first
  request and to every redirect alike.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import anyio
import certifi
import httpcore
import httpx

from dongtai.errors import BlockedAddress, DongtaiError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_METADATA = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"))
_METADATA_V6 = ipaddress.ip_address("fd00:ec2::254")


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses may be connected to (rules in the module docstring)."""

    allow_private: bool = False
    allowed_networks: tuple[Network, ...] = ()
    trusted: frozenset[tuple[str, int]] = frozenset()

    @classmethod
    def build(
        cls, allow_private: bool, networks: Iterable[str], trusted_urls: Iterable[str] = ()
    ) -> AddressPolicy:
        try:
            parsed = tuple(ipaddress.ip_network(n.strip(), strict=False) for n in networks)
        except ValueError as exc:
            raise DongtaiError(f"invalid network in allow-list: {exc}") from None
        trusted = frozenset(_endpoint(url) for url in trusted_urls if url)
        return cls(allow_private=allow_private, allowed_networks=parsed, trusted=trusted)

    def refusal_for(self, host: str, port: int, address: str) -> str | None:
        """Why a connection to ``host``:``port`` at ``address`` is refused, or None."""
        if (host.lower().strip("[]"), port) in self.trusted:
            return AddressPolicy(allow_private=True).refusal(address)
        return self.refusal(address)

    def refusal(self, address: str) -> str | None:
        """Why ``address`` may not be connected to, or None when it may."""
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if any(ip in network for network in self.allowed_networks):
            return None
        if ip == _METADATA_V6 or any(ip in network for network in _METADATA):
            return f"{ip} is a link-local / metadata address"
        if ip.is_global and not ip.is_multicast:
            return None
        special = ip.is_multicast or ip.is_unspecified or (ip.is_reserved and not ip.is_loopback)
        if self.allow_private and not special and (ip.is_private or ip.is_loopback or _cgnat(ip)):
            return None
        return f"{ip} is a {_kind(ip)} address"


def _endpoint(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (parts.hostname or "").lower(), port


def _cgnat(ip: IPAddress) -> bool:
    return isinstance(ip, ipaddress.IPv4Address) and ip in ipaddress.ip_network("100.64.0.0/10")


def _kind(ip: IPAddress) -> str:
    for name in ("loopback", "multicast", "unspecified", "reserved", "private"):
        if getattr(ip, f"is_{name}"):
            return name
    return "non-public"


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the address check before every TCP connection."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        address = await self._checked_address(host, port, timeout)
        return await self.inner.connect_tcp(
            address, port, timeout=timeout, local_address=local_address,
            socket_options=socket_options,
        )  # fmt: skip

    async def _checked_address(self, host: str, port: int, timeout: float | None) -> str:
        try:
            with anyio.fail_after(timeout):
                infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"name resolution of {host} timed out") from None
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in addresses:
            reason = self.policy.refusal_for(host, port, address)
            if reason is not None:
                raise BlockedAddress(f"refused to connect to {host}: {reason}")
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve {host}: no address")
        return addresses[0]

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress("unix sockets are not used for fetching")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, connecting only through :class:`GuardedBackend`, no proxies."""

    def __init__(self, policy: AddressPolicy, max_connections: int) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl.create_default_context(cafile=certifi.where()),
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(policy),
        )
