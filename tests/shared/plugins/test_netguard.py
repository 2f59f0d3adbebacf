"""The SSRF decision table: which URLs and addresses a step may fetch, decided without connecting."""

from __future__ import annotations

import ipaddress

import pytest

from shared.errors import PluginError
from shared.plugins.netguard import HttpPolicy, address_refusal, parse_ip_literal, resolve_target

DEFAULT = HttpPolicy()

REFUSED_URLS = [
    ("loopback", "http://127.0.0.1/"),
    ("loopback elsewhere in 127/8", "http://127.9.9.9:8080/admin"),
    ("loopback by name", "http://localhost/"),
    ("IPv6 loopback", "http://[::1]:8080/"),
    ("unspecified", "http://0.0.0.0/"),
    ("IPv6 unspecified", "http://[::]/"),
    ("10/8", "http://10.0.0.1/secret"),
    ("172.16/12", "http://172.16.5.4/"),
    ("172.31 end of 172.16/12", "http://172.31.255.254/"),
    ("192.168/16", "http://192.168.1.1/"),
    ("link-local", "http://169.254.10.10/"),
    ("cloud metadata", "http://169.254.169.254/latest/meta-data/"),
    ("CGNAT 100.64/10", "http://100.64.0.1/"),
    ("multicast", "http://224.0.0.1/"),
    ("reserved 240/4", "http://240.0.0.1/"),
    ("broadcast", "http://255.255.255.255/"),
    ("IPv6 unique local fd00::/8", "http://[fd00::1]/"),
    ("IPv6 unique local fc00::/7", "http://[fc12:3456::1]/"),
    ("IPv6 link-local", "http://[fe80::1]/"),
    ("IPv6 multicast", "http://[ff02::1]/"),
    ("IPv4-mapped loopback", "http://[::ffff:127.0.0.1]/"),
    ("IPv4-mapped in hex", "http://[::ffff:7f00:1]/"),
    ("IPv4-mapped metadata", "http://[::ffff:a9fe:a9fe]/"),
    ("6to4 embedding of 127.0.0.1", "http://[2002:7f00:1::]/"),
    ("6to4 embedding of 10.0.0.1", "http://[2002:a00:1::1]/"),
    ("NAT64 embedding of 169.254.169.254", "http://[64:ff9b::a9fe:a9fe]/"),
    ("decimal", "http://2130706433/"),
    ("octal", "http://0177.0.0.1/"),
    ("hex and short form", "http://0x7f.1/"),
    ("short form", "http://127.1/"),
    ("hex whole", "http://0x7f000001/"),
    ("decimal metadata", "http://2852039166/"),
    ("trailing dot", "http://127.0.0.1./"),
    ("userinfo pointing elsewhere", "http://example.com@127.0.0.1/"),
    ("userinfo with password", "http://user:pass@10.0.0.1/"),
    ("https to private", "https://192.168.0.1/"),
]

REFUSED_SCHEMES = [
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_INFO",
    "ftp://example.com/file",
    "dict://127.0.0.1:11211/",
    "javascript:alert(1)",
    "http:///no-host",
    "//example.com/relative",
]


@pytest.mark.parametrize(("case", "url"), REFUSED_URLS, ids=[c for c, _ in REFUSED_URLS])
def test_non_public_targets_are_refused(case: str, url: str) -> None:
    with pytest.raises(PluginError, match="non-public address"):
        resolve_target(url, DEFAULT)


@pytest.mark.parametrize("url", REFUSED_SCHEMES)
def test_only_http_and_https_with_a_host_are_allowed(url: str) -> None:
    with pytest.raises(PluginError, match="only http and https"):
        resolve_target(url, DEFAULT)


@pytest.mark.parametrize(
    "url", ["http://1.2.3.4.5/", "http://0x1g.0.0.1/", "http://256.0.0.1/", "http://a b/"]
)
def test_malformed_hosts_are_refused(url: str) -> None:
    with pytest.raises(PluginError):
        resolve_target(url, DEFAULT)


def test_public_addresses_pass_without_connecting() -> None:
    target = resolve_target("https://93.184.216.34/data.json", DEFAULT)
    assert str(target.address) == "93.184.216.34" and target.port == 443
    assert resolve_target("http://[2606:4700:4700::1111]:8080/", DEFAULT).port == 8080
    assert address_refusal(ipaddress.ip_address("8.8.8.8"), DEFAULT, "dns.google") is None


def test_inet_aton_forms_mean_what_resolvers_make_of_them() -> None:
    for text in ("2130706433", "0177.0.0.1", "0x7f.1", "127.1", "0x7f.0.0.01", "127.0.1"):
        assert parse_ip_literal(text) == ipaddress.IPv4Address("127.0.0.1"), text
    assert parse_ip_literal("example.com") is None
    assert parse_ip_literal("cafe.be") is None


def test_the_allowlist_admits_named_hosts_and_networks_only() -> None:
    policy = HttpPolicy.from_allowlist(["10.1.0.0/16", "internal.example", "fd00::5"])
    assert resolve_target("http://10.1.2.3/", policy).port == 80
    assert address_refusal(ipaddress.ip_address("::ffff:10.1.2.3"), policy) is None
    assert address_refusal(ipaddress.ip_address("fd00::5"), policy) is None
    assert address_refusal(ipaddress.ip_address("192.168.0.1"), policy, "INTERNAL.example.") is None
    assert address_refusal(ipaddress.ip_address("192.168.0.1"), policy, "other.example") is not None
    with pytest.raises(PluginError, match="non-public address \\(10.2.0.1\\)"):
        resolve_target("http://10.2.0.1/", policy)
    with pytest.raises(PluginError, match="non-public address"):
        resolve_target("http://169.254.169.254/", policy)


def test_allow_private_admits_everything_but_other_schemes() -> None:
    policy = HttpPolicy(allow_private=True)
    assert str(resolve_target("http://0177.0.0.1:81/", policy).address) == "127.0.0.1"
    with pytest.raises(PluginError, match="only http and https"):
        resolve_target("file:///etc/passwd", policy)


@pytest.mark.parametrize("entry", ["127.1", "not a host", "http://x/", "*.example.com"])
def test_a_bad_allowlist_entry_is_refused_naming_it(entry: str) -> None:
    with pytest.raises(ValueError, match="neither a host name"):
        HttpPolicy.from_allowlist([entry])
