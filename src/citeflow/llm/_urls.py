"""Which base URLs a tenant may point a provider at: a guard against server-side request forgery."""

import ipaddress
import socket
import time
from urllib.parse import urlsplit

_TTL_SECONDS = 60.0

#: Cloud metadata services outside the link-local range: Alibaba Cloud (in the shared address
#: space 100.64.0.0/10) and AWS's IPv6 endpoint (a unique local address).
_METADATA = frozenset({ipaddress.ip_address("100.100.100.200"), ipaddress.ip_address("fd00:ec2::254")})

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UrlGuard:
    """Link-local, multicast and cloud-metadata addresses are always refused; every other
    non-public address (loopback, private networks, shared address space…) only when
    `allow_private` is off. IPv4 addresses written as IPv6 (`::ffff:a.b.c.d`) are judged as IPv4."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._verdicts: dict[str, tuple[float, str | None]] = {}

    def problem(self, url: str) -> str | None:
        """Why `url` may not be called, or None when it may."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return f"base URL {url!r} must start with http:// or https://"
        host = parts.hostname
        if not host:
            return f"base URL {url!r} has no host"
        cached = self._verdicts.get(host)
        if cached is not None and time.monotonic() - cached[0] < _TTL_SECONDS:
            return cached[1]
        verdict = self._judge(host)
        self._verdicts[host] = (time.monotonic(), verdict)
        return verdict

    def _judge(self, host: str) -> str | None:
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError):
            return f"host {host!r} cannot be resolved"
        for info in infos:
            address = _unmapped(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
            if (
                address.is_link_local
                or address.is_multicast
                or address.is_unspecified
                or address in _METADATA
            ):
                return (
                    f"host {host!r} resolves to {address}, a link-local, reserved or cloud-metadata address"
                )
            if not address.is_global and not self.allow_private:
                return (
                    f"host {host!r} resolves to the private address {address}; "
                    "this server does not allow private base URLs (llm.allow_private_base_urls)"
                )
        return None


def _unmapped(address: Address) -> Address:
    """`::ffff:169.254.169.254` is 169.254.169.254: Python before 3.13 does not see it as link-local."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
