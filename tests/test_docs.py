"""The documentation keeps up with the code: every setting and every route is documented."""

from collections.abc import Iterator
from pathlib import Path

from fastapi.routing import APIRoute
from pydantic import BaseModel

from citeflow.api.routers import ROUTERS
from citeflow.core.settings import Settings, reference_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"


def setting_names(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every leaf setting as a dotted name, nested models walked recursively."""
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from setting_names(annotation, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"


def test_configuration_page_is_generated_from_the_settings():
    assert (DOCS / "configuration.md").read_text() == reference_markdown(), (
        "regenerate it: citeflow config --reference > docs/configuration.md"
    )


def test_every_setting_is_documented():
    page = (DOCS / "configuration.md").read_text()
    names = list(setting_names(Settings))
    assert {"data_dir", "database.url", "auth.session_ttl_seconds", "log.format"} <= set(names)
    missing = [
        n for n in names if f"`{n}`" not in page or f"`CITEFLOW_{n.upper().replace('.', '__')}`" not in page
    ]
    assert not missing, f"settings missing from docs/configuration.md: {missing}"


def test_every_route_is_documented():
    page = (DOCS / "api.md").read_text()
    paths = {route.path for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)}
    missing = sorted(p for p in paths if f"`{p}`" not in page)
    assert not missing, f"routes missing from docs/api.md: {missing}"
