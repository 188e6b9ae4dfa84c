"""The `citeflow` command: a thin shell over the library."""

import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from pydantic import ValidationError

from citeflow import __version__
from citeflow.core.errors import CiteflowError
from citeflow.core.logs import configure_logging
from citeflow.core.settings import CONFIG_FILE_ENV, Settings, reference_markdown


def _settings(config: Path | None, **overrides: Any) -> Settings:
    """Build the settings once; a missing settings file or an invalid value ends the command."""
    if config is not None:
        os.environ[CONFIG_FILE_ENV] = str(config)
    config_file = os.environ.get(CONFIG_FILE_ENV)
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        _fail(f"invalid settings: {problems}")
    except FileNotFoundError as exc:
        _fail(str(exc))
    except ValueError as exc:  # the TOML file does not parse
        _fail(f"settings file {config_file}: {exc}")


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message.strip()}", err=True)
    sys.exit(1)


config_option = click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"TOML settings file (also ${CONFIG_FILE_ENV}).",
)
data_dir_option = click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), help="Directory holding all state."
)


@click.group()
@click.version_option(__version__, prog_name="citeflow")
def main() -> None:
    """citeflow: a RAG engine that speaks RAGFlow v0.20.5's HTTP API."""


@main.command()
@click.option("--host", help="Address to bind (default 0.0.0.0).")
@click.option("--port", type=int, help="Port to bind (default 9380; 0 picks a free one).")
@click.option(
    "--workers", type=int, help="Processes answering requests (default 1; one per core for throughput)."
)
@data_dir_option
@config_option
def serve(
    host: str | None, port: int | None, workers: int | None, data_dir: Path | None, config: Path | None
) -> None:
    """Run the HTTP API server."""
    import uvicorn

    from citeflow.api import create_app

    settings = _settings(config, host=host, port=port, workers=workers, data_dir=data_dir)
    configure_logging(settings.log.level, settings.log.format)
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "access_log": False,
        "timeout_graceful_shutdown": 10,
    }
    if settings.workers == 1:
        uvicorn.run(create_app(settings), **options)
        return
    from citeflow.services import Services

    Services.prepare(settings)
    # The worker processes read their settings from the environment, as this one did.
    os.environ["CITEFLOW_DATA_DIR"] = str(settings.data_dir)
    uvicorn.run("citeflow.api.app:worker_app", factory=True, workers=settings.workers, **options)


@main.group()
def user() -> None:
    """Manage users without the web API."""


@user.command("create")
@click.option("--email", required=True)
@click.option("--nickname", required=True)
@click.password_option(help="Prompted for when not given.")
@data_dir_option
@config_option
def user_create(email: str, nickname: str, password: str, data_dir: Path | None, config: Path | None) -> None:
    """Create a user and their tenant (works even when registration is switched off)."""
    with _services(config, data_dir) as services:
        login = services.accounts.create_user(email=email, nickname=nickname, password=password, log_in=False)
    click.echo(json.dumps({"user_id": login.account.id, "tenant_id": login.account.id, "email": email}))


@main.group()
def token() -> None:
    """Manage API keys without the web API."""


@token.command("create")
@click.option("--email", required=True, help="The user whose tenant gets the key.")
@data_dir_option
@config_option
def token_create(email: str, data_dir: Path | None, config: Path | None) -> None:
    """Create an API key for a user's tenant and print it (it is shown only this once)."""
    with _services(config, data_dir) as services:
        key = services.api_keys.create(services.accounts.caller_for_email(email))
    click.echo(key.token)


@main.group()
def model() -> None:
    """Set up models without the web API."""


@model.command("add")
@click.option("--email", required=True, help="The user whose tenant gets the model.")
@click.option("--factory", required=True, help="OpenAI, Ollama, VLLM, … (GET /v1/llm/factories lists them).")
@click.option("--name", required=True, help="The model's name at the provider, e.g. gpt-4o-mini or qwen2.5.")
@click.option(
    "--type",
    "kind",
    default="chat",
    show_default=True,
    type=click.Choice(["chat", "embedding", "rerank", "image2text", "speech2text", "tts"]),
)
@click.option("--api-key", default="", help="The provider's API key, if it needs one.")
@click.option("--base-url", default="", help="Where the provider listens, if not its usual address.")
@click.option(
    "--default", "make_default", is_flag=True, help="Also make it the tenant's default of its type."
)
@data_dir_option
@config_option
def model_add(
    email: str,
    factory: str,
    name: str,
    kind: str,
    api_key: str,
    base_url: str,
    make_default: bool,
    data_dir: Path | None,
    config: Path | None,
) -> None:
    """Check that a model answers, store it (key encrypted) and print its `name@factory` id."""
    with _services(config, data_dir) as services:
        caller = services.accounts.caller_for_email(email)
        model_id = services.models.connect(
            caller, factory_name=factory, name=name, kind=kind, api_key=api_key, base_url=base_url
        )
        if make_default:
            services.accounts.set_default_model(caller, kind, model_id)
    click.echo(model_id)


@main.command()
@click.option("--dataset", "dataset_ids", multiple=True, help="A dataset id (repeatable); default: all.")
@data_dir_option
@config_option
def retokenize(dataset_ids: tuple[str, ...], data_dir: Path | None, config: Path | None) -> None:
    """Make chunks' search tokens again with this version's tokenizer (after an upgrade that
    changed it); a running server's search indexes follow at once, a stopped one's at start."""
    from citeflow.db import Database, upgrade
    from citeflow.services.retokenize import retokenize as retokenize_chunks

    settings = _settings(config, data_dir=data_dir)
    configure_logging("WARNING", "text")
    db = Database(settings.database_url)
    try:
        upgrade(db.engine)
        click.echo(json.dumps({"chunks": retokenize_chunks(db, dataset_ids)}))
    except CiteflowError as exc:
        _fail(exc.message)
    finally:
        db.close()


@main.command("config")
@click.option("--reference", is_flag=True, help="Print the configuration reference (Markdown) instead.")
@data_dir_option
@config_option
def show_config(reference: bool, data_dir: Path | None, config: Path | None) -> None:
    """Print the effective settings, secrets masked."""
    if reference:
        click.echo(reference_markdown(), nl=False)
        return
    click.echo(json.dumps(_settings(config, data_dir=data_dir).masked(), indent=2))


class _services:
    """Open the services for one CLI command; a CiteflowError becomes a message and exit code 1."""

    def __init__(self, config: Path | None, data_dir: Path | None) -> None:
        from citeflow.services import Services

        settings = _settings(config, data_dir=data_dir)
        configure_logging("WARNING", "text")
        try:
            self.services = Services.open(settings)
        except CiteflowError as exc:
            _fail(exc.message)

    def __enter__(self) -> Any:
        return self.services

    def __exit__(self, exc_type: Any, exc: BaseException | None, _tb: Any) -> bool:
        self.services.close()
        if isinstance(exc, CiteflowError):
            _fail(exc.message)
        return False
