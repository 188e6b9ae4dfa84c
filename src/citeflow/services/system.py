"""Health of the components citeflow runs on, for `/v1/system/status` and `/v1/system/healthz`."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from citeflow.core.errors import CiteflowError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Component:
    """A backing component: `key` is its name in `/status`, `kind` which engine it is,
    `probe` returns its round-trip latency in ms or raises."""

    key: str
    label: str
    kind: str
    probe: Callable[[], float]
    healthz_key: str


@dataclass(frozen=True, slots=True)
class Health:
    component: Component
    ok: bool
    elapsed_ms: float
    error: str | None = None


class SystemService:
    def __init__(self, components: list[Component]) -> None:
        self._components = components

    def check(self) -> list[Health]:
        return [self._check(c) for c in self._components]

    @staticmethod
    def _check(component: Component) -> Health:
        started = time.perf_counter()
        try:
            component.probe()
        except CiteflowError as exc:
            return Health(component, False, _since(started), exc.message)
        except Exception as exc:
            log.exception("health probe of %s failed", component.key)
            return Health(component, False, _since(started), type(exc).__name__)
        return Health(component, True, _since(started))


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
