"""`/v1/user/*`: registration, login, logout, profile and tenant settings (RAGFlow's user_app)."""

from fastapi import APIRouter

from citeflow.api.body import WebArgs, require
from citeflow.api.deps import AccountsDep, SessionCaller
from citeflow.api.envelope import RagflowJSON, web_ok
from citeflow.api.records import tenant_record, user_record
from citeflow.core.errors import AuthenticationFailed
from citeflow.services.accounts import Login

router = APIRouter(prefix="/v1/user", tags=["users (web API)"])


def _logged_in(login: Login, message: str) -> RagflowJSON:
    headers = {
        "Authorization": login.token,
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Method": "*",
        "Access-Control-Allow-Headers": "*",
        "Access-Control-Expose-Headers": "Authorization",
    }
    return web_ok(user_record(login.account, login.session_id), message=message, headers=headers)


@router.post("/register")
def register(args: WebArgs, accounts: AccountsDep) -> RagflowJSON:
    """Create a user with their own tenant, and log them in (token in the `Authorization` header)."""
    body = require(args, "nickname", "email", "password")
    login = accounts.register(email=body["email"], nickname=body["nickname"], password=body["password"])
    return _logged_in(login, f"{login.account.nickname}, welcome aboard!")


@router.post("/login")
@router.get("/login")  # RAGFlow accepts both; separate routes keep the OpenAPI operation ids unique
def login(args: WebArgs, accounts: AccountsDep) -> RagflowJSON:
    """Open a web session; the token comes back in the `Authorization` response header."""
    if not args or not isinstance(args, dict):
        raise AuthenticationFailed("Unauthorized!", data=False)
    return _logged_in(
        accounts.login(email=args.get("email", ""), password=args.get("password")), "Welcome back!"
    )


@router.get("/logout")
def logout(caller: SessionCaller, accounts: AccountsDep) -> RagflowJSON:
    """Revoke the session this request was made with."""
    accounts.logout(caller)
    return web_ok(True)


@router.get("/info")
def info(caller: SessionCaller, accounts: AccountsDep) -> RagflowJSON:
    return web_ok(user_record(accounts.account(caller), caller.session_id or ""))


@router.post("/setting")
def setting(caller: SessionCaller, args: WebArgs, accounts: AccountsDep) -> RagflowJSON:
    """Update profile fields; change the password when the current one is given as `password`."""
    accounts.update_profile(caller, args if isinstance(args, dict) else {})
    return web_ok(True)


@router.get("/tenant_info")
def tenant_info(caller: SessionCaller, accounts: AccountsDep) -> RagflowJSON:
    return web_ok(tenant_record(accounts.tenant_info(caller)))


@router.post("/set_tenant_info")
def set_tenant_info(caller: SessionCaller, args: WebArgs, accounts: AccountsDep) -> RagflowJSON:
    """Set the tenant's default models. Only for the caller's own tenant."""
    body = require(args, "tenant_id", "asr_id", "embd_id", "img2txt_id", "llm_id")
    accounts.set_tenant_info(caller, body["tenant_id"], body)
    return web_ok(True)


@router.get("/login/channels")
async def login_channels() -> RagflowJSON:
    """Single sign-on channels: none are configured."""
    return web_ok([])
