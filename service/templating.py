"""The Jinja2 environment: autoescaped templates, static URLs with content hashes, CSRF tokens."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from service import template_helpers
from service.resources import resource_dir


@lru_cache(maxsize=256)
def _static_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """URL of a static file, with a content hash so caches never serve a stale copy."""
    path = resource_dir("static") / name
    if not path.is_file():
        raise jinja2.TemplateRuntimeError(f"no static file {name!r}")
    return f"/static/{name}?v={_static_hash(path)}"


def _request_context(request: Request) -> dict[str, Any]:
    state = request.scope.get("state", {})
    return {
        "csrf_token": state.get("csrf_token", ""),
        "locale": getattr(request.state, "locale", "en"),
        "current_staff": getattr(request.state, "staff", None),
        "current_citizen": getattr(request.state, "citizen", None),
    }


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """Render a page with the request's locale, CSRF token and signed-in user."""
    templates: Jinja2Templates = request.app.state.templates
    response: Response = templates.TemplateResponse(request, name, context, status_code=status_code)
    return response


def create_templates() -> Jinja2Templates:
    """Build the template renderer shared by every route."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resource_dir("templates"))),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.globals["static_url"] = static_url
    template_helpers.install(env)
    return Jinja2Templates(env=env, context_processors=[_request_context])
