"""Which URLs and addresses a step may fetch: http(s) only, public addresses unless an operator allows them.

The decision functions are pure (no DNS, no sockets) so they can be table-tested; :func:`resolve_target`
is the one place that resolves a host, and it hands back the checked address the caller must connect to.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from shared.errors import PluginError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_HOST_NAME = re.compile(r"^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*\.?$")
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*\.?$")


@dataclass(frozen=True)
class HttpPolicy:
    """What the operator allows: every private address, or only the listed hosts and networks."""

    allow_private: bool = False
    allowed_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_allowlist(cls, entries: Iterable[str], *, allow_private: bool = False) -> HttpPolicy:
        """A policy from ``http.allowlist`` entries (host names, addresses or CIDRs)."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                hosts.add(allowlist_host(entry))
        return cls(allow_private, frozenset(hosts), tuple(networks))


@dataclass(frozen=True)
class Target:
    """A checked URL: its parts, the host name for Host/SNI, and the address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: IPAddress

    @property
    def host_header(self) -> str:
        """The Host header value: the name as written, with the port when it is not the default."""
        name = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return name if self.port == default else f"{name}:{self.port}"


def allowlist_host(entry: str) -> str:
    """A host-name allowlist entry, normalised; ``ValueError`` if it is neither a name nor a network."""
    name = entry.strip().lower().rstrip(".")
    if not _HOST_NAME.match(name) or _NUMERIC_HOST.match(name):
        raise ValueError(f"{entry!r} is neither a host name, an address nor a CIDR network")
    return name


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a host written as an address means, including the forms ``inet_aton`` accepts.

    ``2130706433``, ``0177.0.0.1``, ``0x7f.1`` and ``127.1`` all mean 127.0.0.1. ``None`` for a name;
    ``ValueError`` for something numeric that is no valid address (resolvers disagree on those).
    """
    text = host.strip("[]").lower()
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if not _NUMERIC_HOST.match(text.rstrip(".")):
        return None
    parts = text.rstrip(".").split(".")
    if len(parts) > 4 or not all(parts):
        raise ValueError(f"{host!r} is not a valid address")
    numbers = [_inet_number(part, host) for part in parts]
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (5 - len(numbers)):
        raise ValueError(f"{host!r} is not a valid address")
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _inet_number(part: str, host: str) -> int:
    try:
        if part.startswith("0x"):
            return int(part[2:] or "0", 16)
        if len(part) > 1 and part.startswith("0"):
            return int(part[1:], 8)
        return int(part, 10)
    except ValueError:
        raise ValueError(f"{host!r} is not a valid address") from None


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, 6to4, Teredo, NAT64), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in _NAT64 or address in _IPV4_COMPATIBLE and int(address) > 1:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_refusal(address: IPAddress, policy: HttpPolicy, host: str = "") -> str | None:
    """Why a step may not connect to ``address`` (reached through ``host``), or ``None`` if it may."""
    if policy.allow_private or host.lower().rstrip(".") in policy.allowed_hosts:
        return None
    inner = embedded_ipv4(address)
    for candidate in (address, inner):
        if candidate is not None and any(
            candidate.version == net.version and candidate in net for net in policy.allowed_networks
        ):
            return None
    for candidate in (address, inner):
        if candidate is not None and _is_non_public(candidate):
            return f"non-public address ({candidate})"
    return None


def _is_non_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address in _NAT64_LOCAL:
        return True
    return (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_unspecified
    )


def split_http_url(url: str) -> tuple[SplitResult, str, int]:
    """The URL's parts, its host (lower case, IDNA-encoded) and port; refuses anything but http(s)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise PluginError(f"{url}: not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PluginError(f"{url}: only http and https URLs with a host are allowed")
    host = parts.hostname.rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise PluginError(f"{url}: host {parts.hostname!r} is not a valid name") from None
    if ":" not in host and not _HOST_NAME.match(host):
        raise PluginError(f"{url}: host {parts.hostname!r} is not a valid name")
    return parts, host, port or (443 if parts.scheme == "https" else 80)


def resolve_target(url: str, policy: HttpPolicy) -> Target:
    """The checked address to connect to for ``url``; a :class:`PluginError` saying why if refused.

    Every address the name resolves to must pass, so a resolver that rotates answers gains nothing; the
    caller connects to the returned address instead of resolving again.
    """
    parts, host, port = split_http_url(url)
    try:
        literal = parse_ip_literal(host)
    except ValueError as exc:
        raise PluginError(f"{url}: {exc}") from None
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        addresses = _resolve(url, host, port)
    for address in addresses:
        reason = address_refusal(address, policy, host)
        if reason:
            raise PluginError(f"{url}: {host} resolves to a {reason}")
    return Target(url, parts.scheme, host, port, addresses[0])


def _resolve(url: str, host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise PluginError(f"{url}: cannot resolve {host}") from exc
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise PluginError(f"{url}: cannot resolve {host}")
    return addresses
