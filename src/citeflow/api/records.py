"""Wire shapes of records: domain objects in, RAGFlow field names and formats out."""

from typing import Any

from citeflow.core.clock import http_date, stamps
from citeflow.llm import CatalogModel, Factory
from citeflow.services.accounts import Account, TenantInfo
from citeflow.services.api_keys import ApiKey


def user_record(account: Account, access_token: str) -> dict[str, Any]:
    """RAGFlow's User record. The password hash is never sent; `access_token` names the session
    (it is not a credential: the credential is the `Authorization` header)."""
    return {
        "id": account.id,
        "access_token": access_token,
        "nickname": account.nickname,
        "email": account.email,
        "avatar": account.avatar,
        "language": account.language,
        "color_schema": account.color_schema,
        "timezone": account.timezone,
        "last_login_time": None if account.last_login_time is None else http_date(account.last_login_time),
        "is_authenticated": "1",
        "is_active": "1",
        "is_anonymous": "0",
        "login_channel": account.login_channel,
        "status": account.status,
        "is_superuser": account.is_superuser,
        **stamps(account.create_time),
        "update_time": account.update_time,
        "update_date": http_date(account.update_time),
    }


def tenant_record(info: TenantInfo) -> dict[str, Any]:
    return {
        "tenant_id": info.tenant_id,
        "name": info.name,
        "llm_id": info.llm_id,
        "embd_id": info.embd_id,
        "rerank_id": info.rerank_id,
        "asr_id": info.asr_id,
        "img2txt_id": info.img2txt_id,
        "tts_id": info.tts_id,
        "parser_ids": info.parser_ids,
        "role": info.role,
    }


def new_token_record(key: ApiKey) -> dict[str, Any]:
    """The `/v1/system/new_token` answer: the only place the full key and beta appear."""
    return {
        "tenant_id": key.tenant_id,
        "token": key.token,
        "beta": key.beta,
        "create_time": key.create_time,
        "create_date": http_date(key.create_time),
        "update_time": None,
        "update_date": None,
    }


def token_record(key: ApiKey) -> dict[str, Any]:
    return {
        "tenant_id": key.tenant_id,
        "token": key.token,
        "beta": key.beta,
        "dialog_id": key.dialog_id,
        "source": key.source,
        **stamps(key.create_time),
        "update_time": key.update_time,
        "update_date": http_date(key.update_time),
    }


def factory_record(factory: Factory) -> dict[str, Any]:
    return {
        "name": factory.name,
        "logo": "",
        "tags": factory.tags,
        "status": "1",
        "model_types": factory.model_types(),
    }


def catalog_record(factory: Factory, model: CatalogModel, available: bool) -> dict[str, Any]:
    return {
        "llm_name": model.llm_name,
        "model_type": model.model_type,
        "fid": factory.name,
        "max_tokens": model.max_tokens,
        "tags": model.tags,
        "is_tools": model.is_tools,
        "status": "1",
        "available": available,
    }
