"""The app through its ASGI interface: pages, health, errors, CSRF and security headers."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.routing import Route

from service.app import create_app
from service.config import Settings
from tests.support.asgi import csrf_token, running_app


async def test_home_page_is_accessible_html(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="en">' in html
    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert html.count("<h1") == 1
    assert "<script>" not in html
    assert "onclick" not in html


async def test_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in response.headers


async def test_hsts_over_tls(app_client: tuple[httpx.AsyncClient, dict[str, Any]]) -> None:
    client, _ = app_client
    response = await client.get("https://testserver/")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert "Secure" in response.headers["set-cookie"]


async def test_healthz_checks_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_not_found_page_has_no_trace(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Traceback" not in response.text


async def test_method_not_allowed_page(client: httpx.AsyncClient) -> None:
    await client.get("/")
    response = await client.request("DELETE", "/healthz", headers={"X-CSRF-Token": "x"})
    assert response.status_code in (403, 405)
    assert "Traceback" not in response.text


async def test_post_without_csrf_token_is_refused(client: httpx.AsyncClient) -> None:
    await client.get("/")
    response = await client.post("/", data={"anything": "1"})
    assert response.status_code == 403
    assert "expired" in response.text


async def test_post_with_a_forged_token_is_refused(client: httpx.AsyncClient) -> None:
    await client.get("/")
    response = await client.post("/", data={"csrf_token": "forged"})
    assert response.status_code == 403


async def test_post_with_the_right_token_reaches_the_route(
    app_client: tuple[httpx.AsyncClient, dict[str, Any]],
) -> None:
    client, state = app_client
    await client.get("/")
    response = await client.post("/", data={"csrf_token": csrf_token(client, state)})
    assert response.status_code == 405  # past CSRF; the home page takes no POST


async def test_oversized_body_is_refused(client: httpx.AsyncClient) -> None:
    await client.get("/")
    response = await client.post(
        "/", content=b"x" * 1_100_000, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413


async def test_an_unhandled_error_shows_a_plain_500_page(settings: Settings) -> None:
    async def explode(request: Any) -> Any:
        raise RuntimeError("secret internal detail")

    app = create_app(settings)
    app.router.routes.append(Route("/explode", explode))
    async with running_app(app, raise_app_exceptions=False) as (client, _):
        response = await client.get("/explode")
    assert response.status_code == 500
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    assert "Something went wrong" in response.text


async def test_static_files_are_served_locally(client: httpx.AsyncClient) -> None:
    page = (await client.get("/")).text
    assert "/static/vendor/htmx-2.0.11.min.js" in page
    response = await client.get("/static/vendor/htmx-2.0.11.min.js")
    assert response.status_code == 200
    assert "htmx" in response.text[:2000]
