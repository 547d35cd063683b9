"""Citizen sign-in: the provider choice, OpenID Connect, signed credentials, eligibility."""

from __future__ import annotations

import secrets
import time
from datetime import date
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from proposals.i18n import _
from service.citizens import (
    current_citizen,
    remember_before_sign_in,
    sign_in_citizen,
    sign_out_citizen,
    take_before_sign_in,
)
from service.identity import PROVIDER_NAMES, IdentityServices, with_census_membership
from service.redirects import NEXT_COOKIE, local_path
from service.templating import render
from verification import repository
from verification.eligibility import (
    EligibilityRules,
    IneligibleReason,
    check_eligibility,
)
from verification.identity.credential import (
    MAX_TOKEN_BYTES,
    CredentialRejected,
    CredentialReplayed,
    nonce_hash,
    read_credential,
)
from verification.identity.model import CitizenSession, VerifiedIdentity
from verification.identity.oidc import OidcError, OidcProviderUnavailable, PendingAuthorization

OIDC_PENDING = "oidc_pending"
NONCE_LIFETIME_S = 10 * 60
SIGNED_IN_PATH = "/identity/eligibility"


def services(request: Request) -> IdentityServices:
    found: IdentityServices = request.state.identity
    return found


def provider_name(request: Request, provider: str) -> str:
    """What a provider is called on the pages: the deployment's own name for its OIDC provider."""
    oidc = services(request).settings.oidc
    if provider == "oidc" and oidc is not None:
        return oidc.name
    return PROVIDER_NAMES.get(provider, "")


async def signed_in(request: Request, identity: VerifiedIdentity) -> Response:
    """Finish any provider's flow: look the person up on the census, sign in, show eligibility."""
    pool: asyncpg.Pool = request.state.pool
    pepper: bytes = request.state.keys.identifier_pepper
    if identity.provider != "census":
        identity = await with_census_membership(pool, pepper, identity)
    back = local_path(request.cookies.get(NEXT_COOKIE), SIGNED_IN_PATH + "?signed_in=1")
    response = RedirectResponse(back, status_code=303)
    response.delete_cookie(NEXT_COOKIE, path="/")
    await sign_in_citizen(request, response, identity)
    return response


def problem(request: Request, title: str, explanation: str, status_code: int) -> Response:
    """A sign-in that failed: what happened, and a way back."""
    context = {"title": title, "explanation": explanation}
    return render(request, "identity/problem.html", context, status_code=status_code)


async def sign_in(request: Request) -> Response:
    """The providers a person may sign in with (those the deployment and the cycle enable)."""
    available = services(request).available_providers()
    cycle = None
    slug = request.query_params.get("cycle")
    if slug:
        cycle = await repository.fetch_cycle_rules(request.state.pool, slug)
        if cycle is None:
            return problem(
                request, _("No such budget cycle"), _("Check the address and try again."), 404
            )
        available = tuple(p for p in available if p in cycle.identity_providers)
    citizen = await current_citizen(request)
    providers = [
        {
            "id": provider,
            "name": provider_name(request, provider),
            "url": {
                "oidc": "/identity/oidc/start",
                "credential": "/identity/credential",
                "census": "/identity/census",
            }[provider],
        }
        for provider in available
    ]
    development = not request.app.state.settings.is_production
    context = {
        "providers": providers,
        "cycle": cycle,
        "citizen": citizen,
        "development": development,
    }
    response = render(request, "identity/sign_in.html", context)
    back = local_path(request.query_params.get("next"), "")
    if back:
        response.set_cookie(
            NEXT_COOKIE, back, max_age=NONCE_LIFETIME_S, path="/", httponly=True, samesite="lax"
        )
    return response


async def sign_out(request: Request) -> Response:
    response = RedirectResponse("/", status_code=303)
    await sign_out_citizen(request, response)
    return response


async def oidc_start(request: Request) -> Response:
    client = services(request).oidc
    if client is None:
        return problem(
            request,
            _("This sign-in is not offered"),
            _("This service has no OpenID Connect provider configured."),
            404,
        )
    try:
        url, pending = await client.begin()
    except OidcProviderUnavailable as error:
        return problem(request, _("The sign-in service is unavailable"), error.explanation, 503)
    response = RedirectResponse(url, status_code=303)
    await remember_before_sign_in(request, response, OIDC_PENDING, pending.to_dict())
    return response


async def oidc_callback(request: Request) -> Response:
    client = services(request).oidc
    if client is None:
        return problem(
            request,
            _("This sign-in is not offered"),
            _("This service has no OpenID Connect provider configured."),
            404,
        )
    stored = await take_before_sign_in(request, OIDC_PENDING)
    if stored is None:
        return problem(
            request,
            _("Sign-in could not be completed"),
            _(
                "This sign-in answer does not belong to a sign-in started in this browser, "
                "or it was already used. Please start again."
            ),
            400,
        )
    params = {key: value for key, value in request.query_params.items()}
    try:
        identity = await client.complete(PendingAuthorization.from_dict(stored), params)
    except OidcProviderUnavailable as error:
        return problem(request, _("The sign-in service is unavailable"), error.explanation, 503)
    except OidcError as error:
        return problem(request, _("Sign-in could not be completed"), error.explanation, 400)
    return await signed_in(request, identity)


async def issue_nonce(pool: asyncpg.Pool, lifetime_s: int = NONCE_LIFETIME_S) -> str:
    """A fresh single-use nonce for a credential presentation (stored hashed)."""
    nonce = secrets.token_urlsafe(24)
    await repository.insert_nonce(pool, nonce_hash(nonce), lifetime_s)
    return nonce


async def credential_form(request: Request) -> Response:
    return await _credential_page(request, {}, "", 200)


async def _credential_page(
    request: Request, errors: dict[str, str], credential: str, status_code: int
) -> Response:
    nonce = await issue_nonce(request.state.pool)
    context = {
        "errors": errors,
        "credential": credential,
        "nonce": nonce,
        "audience": services(request).settings.credential_audience,
        "lifetime_minutes": NONCE_LIFETIME_S // 60,
    }
    return render(request, "identity/credential.html", context, status_code=status_code)


async def credential_submit(request: Request) -> Response:
    form = await request.form()
    token = str(form.get("credential", "")).strip()
    if not token:
        errors = {"credential": _("Paste your signed credential.")}
        return await _credential_page(request, errors, "", 422)
    identity_services = services(request)
    try:
        accepted = read_credential(
            token,
            identity_services.trusted_issuers(),
            audience=identity_services.settings.credential_audience,
            now=int(time.time()),
        )
        if not await repository.consume_nonce(request.state.pool, nonce_hash(accepted.nonce)):
            raise CredentialReplayed(
                _(
                    "This credential was already used, or its nonce expired or was not issued "
                    "by this service. Get a new credential for the nonce shown on this page."
                )
            )
    except CredentialRejected as error:
        shown = token[:MAX_TOKEN_BYTES]
        return await _credential_page(request, {"credential": error.explanation}, shown, 422)
    return await signed_in(request, accepted.identity)


def _explained(
    rules: EligibilityRules, citizen: CitizenSession, reference_date: date
) -> list[IneligibleReason]:
    return check_eligibility(rules, citizen, reference_date)


async def eligibility(request: Request) -> Response:
    """Which cycles and scopes the signed-in citizen may take part in, and why not (records
    nothing)."""
    citizen = await current_citizen(request)
    checks: list[dict[str, Any]] = []
    default_check = None
    if citizen is not None:
        cycles = await repository.list_cycle_rules(request.state.pool)
        for cycle in cycles:
            checks.append(
                {
                    "cycle": cycle,
                    "reference_date": cycle.reference_date,
                    "propose": _explained(cycle.propose_rules, citizen, cycle.reference_date),
                    "scopes": [
                        (scope, _explained(scope.vote_rules, citizen, cycle.reference_date))
                        for scope in cycle.scopes
                    ],
                }
            )
        if not cycles:
            today = date.today()
            default_check = {
                "reference_date": today,
                "reasons": _explained(EligibilityRules(), citizen, today),
            }
    context = {
        "citizen": citizen,
        "provider_name": provider_name(request, citizen.provider) if citizen else "",
        "checks": checks,
        "default_check": default_check,
        "just_signed_in": request.query_params.get("signed_in") == "1",
    }
    return render(request, "identity/eligibility.html", context)


routes = [
    Route("/identity/sign-in", sign_in, name="identity.sign_in"),
    Route("/identity/sign-out", sign_out, methods=["POST"], name="identity.sign_out"),
    Route("/identity/oidc/start", oidc_start, name="identity.oidc_start"),
    Route("/identity/oidc/callback", oidc_callback, name="identity.oidc_callback"),
    Route("/identity/credential", credential_form, name="identity.credential"),
    Route(
        "/identity/credential",
        credential_submit,
        methods=["POST"],
        name="identity.credential_submit",
    ),
    Route("/identity/eligibility", eligibility, name="identity.eligibility"),
]
