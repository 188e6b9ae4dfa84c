"""Tenant B can never use tenant A's provider keys: model resolution is scoped by tenant."""

import pytest

from citeflow.core.errors import DataError
from citeflow.core.settings import Settings
from citeflow.services import Services


@pytest.fixture
def services(tmp_path):
    opened = Services.open(Settings(data_dir=tmp_path / "data"))
    yield opened
    opened.close()


def test_a_model_set_up_by_one_tenant_is_unusable_by_another(services, fake_provider):
    accounts, models = services.accounts, services.models
    for email in ("a@example.com", "b@example.com"):
        accounts.create_user(email=email, nickname="x", password="pw-123456", log_in=False)
    alice, bob = accounts.caller_for_email("a@example.com"), accounts.caller_for_email("b@example.com")
    model_id = models.connect(
        alice,
        factory_name="OpenAI",
        name="gpt-4o-mini",
        kind="chat",
        api_key="sk-good",
        base_url=f"{fake_provider.url}/v1",
    )

    ref = models.resolve(alice.tenant_id, model_id, "chat")
    assert (ref.api_key, ref.base_url) == ("sk-good", f"{fake_provider.url}/v1")
    with pytest.raises(DataError, match="not authorized"):
        models.resolve(bob.tenant_id, model_id, "chat")
    with pytest.raises(DataError, match="not authorized"):
        models.chat_model(bob.tenant_id, model_id)
    assert models.configured(bob) == []


def test_builtin_models_are_usable_by_every_tenant_without_set_up(services):
    services.accounts.create_user(email="c@example.com", nickname="c", password="pw-123456", log_in=False)
    carol = services.accounts.caller_for_email("c@example.com")
    ref = services.models.resolve(carol.tenant_id, "all-MiniLM-L6-v2@Builtin", "embedding")
    assert (ref.factory, ref.name, ref.api_key) == ("Builtin", "all-MiniLM-L6-v2", "")
    with pytest.raises(DataError, match="not a built-in chat model"):
        services.models.resolve(carol.tenant_id, "all-MiniLM-L6-v2@Builtin", "chat")
