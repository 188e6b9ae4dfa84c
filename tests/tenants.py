"""Tenants that live as long as a fixture or a test."""

from collections.abc import Iterator
from contextlib import contextmanager

from tests.conftest import RunningServer, Tenant, make_tenant


@contextmanager
def open_tenant(server: RunningServer, label: str) -> Iterator[Tenant]:
    """`make_tenant(server, label)`, its web and SDK clients closed on leaving."""
    tenant = make_tenant(server, label)
    try:
        yield tenant
    finally:
        tenant.web.close()
        tenant.sdk.close()
