"""Which base URLs a tenant may point a provider at: a guard against server-side request forgery."""

import ipaddress
import socket
import time
from urllib.parse import urlsplit

_TTL_SECONDS = 60.0


class UrlGuard:
    """Link-local and multicast addresses (cloud metadata services live there) are always refused;
    loopback and private networks only when `allow_private` is off."""

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
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if address.is_link_local or address.is_multicast or address.is_unspecified:
                return f"host {host!r} resolves to {address}, a link-local or reserved address"
            if (address.is_private or address.is_loopback) and not self.allow_private:
                return (
                    f"host {host!r} resolves to the private address {address}; "
                    "this server does not allow private base URLs (llm.allow_private_base_urls)"
                )
        return None
