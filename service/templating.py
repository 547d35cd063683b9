"""The Jinja2 environment: autoescaped templates, static URLs with content hashes, CSRF tokens,
and each request's language (its gettext functions and locale-aware filters).

Every template is rendered with the request's own `gettext`/`ngettext`/`_` in its context, so
two requests in different languages never share translations. A domain `Message` (from
`verification.messages._`) is translated wherever a template shows it: `{{ message }}`,
`{{ message | translate }}` or as a placeholder value of `_()`. A template that imports macros
must import them `with context` (as `csrf_field` needs anyway), or the macros fall back to
English; `tests/unit/service/test_templates.py` enforces it.
"""

from __future__ import annotations

import gettext as gettext_module
import hashlib
import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from jinja2.runtime import Context
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from proposals.languages import language_name, same_language
from proposals.model import ReviewEvent
from service import i18n, template_helpers
from service.citizens import CITIZEN_KEY
from service.resources import resource_dir
from service.sessions import _CACHE as SESSION_CACHE
from service.sessions import IDLE_TIMEOUT_S, Session
from verification.messages import Message


@lru_cache(maxsize=256)
def _static_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """URL of a static file, with a content hash so caches never serve a stale copy."""
    path = resource_dir("static") / name
    if not path.is_file():
        raise jinja2.TemplateRuntimeError(f"no static file {name!r}")
    return f"/static/{name}?v={_static_hash(path)}"


class Templates(Jinja2Templates):
    """The renderer shared by every route; it also holds the deployment's locale settings."""

    locale_settings: i18n.LocaleSettings


def _translated_values(context: Context, variables: dict[str, Any], locale: str) -> dict[str, Any]:
    """Placeholder values with any domain `Message` among them in the page's language."""
    if not any(isinstance(value, Message) for value in variables.values()):
        return variables
    zone = _locale_and_zone(context)[1].timezone
    return {
        name: i18n.translate_text(value, locale, zone) if isinstance(value, Message) else value
        for name, value in variables.items()
    }


def _newstyle_gettext(func: Callable[[str], str], locale: str) -> Callable[..., str]:
    """Jinja's "newstyle" gettext: autoescape-aware, `%(name)s` placeholders filled (escaped)."""

    @jinja2.pass_context
    def gettext(__context: Context, __string: str, **variables: Any) -> str:
        variables = _translated_values(__context, variables, locale)
        text: str = func(__string)
        if __context.eval_ctx.autoescape:
            # Message ids are template literals and catalogues are ours, so they are trusted
            # markup; the placeholders' values are escaped by Markup's `%`.
            text = Markup(text)  # noqa: S704
        return text % variables  # always a format string, as in Jinja: a literal % is %%

    return gettext


def _newstyle_ngettext(func: Callable[[str, str, int], str], locale: str) -> Callable[..., str]:
    @jinja2.pass_context
    def ngettext(
        __context: Context, __singular: str, __plural: str, __num: int, **variables: Any
    ) -> str:
        variables = _translated_values(__context, variables, locale)
        variables.setdefault("num", __num)
        text: str = func(__singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 (trusted, as in gettext above)
        return text % variables

    return ngettext


@lru_cache(maxsize=len(i18n.LOCALES))
def _template_gettext(locale: str) -> dict[str, Callable[..., str]]:
    catalogue: gettext_module.NullTranslations = i18n.translations(locale)
    gettext = _newstyle_gettext(catalogue.gettext, locale)
    ngettext = _newstyle_ngettext(catalogue.ngettext, locale)
    return {"gettext": gettext, "_": gettext, "ngettext": ngettext}


def _signed_in_session(request: Request) -> Session | None:
    """The session the route already looked up, if someone is signed in with it.

    Context processors cannot wait on the database, so a page shows the session notice when its
    route called `current_session` (every page for signed-in users does; `public.home` too).
    """
    session = getattr(request.state, SESSION_CACHE, None)
    if not isinstance(session, Session):
        return None
    if session.staff_id is None and CITIZEN_KEY not in session.data:
        return None
    return session


def seconds_until(moment: datetime) -> int:
    """Whole seconds until `moment`, rounded up, so a countdown never ends before it does."""
    return max(0, math.ceil((moment - datetime.now(UTC)).total_seconds()))


def _request_context(request: Request) -> dict[str, Any]:
    state = request.scope.get("state", {})
    locale = i18n.locale_for(request)
    session = _signed_in_session(request)
    query = request.url.query
    return {
        "csrf_token": state.get("csrf_token", ""),
        "locale": locale,
        "other_languages": [
            (tag, name) for tag, name in i18n.LANGUAGE_NAMES.items() if tag != locale
        ],
        "current_path": request.url.path + (f"?{query}" if query else ""),
        "current_staff": getattr(request.state, "staff", None),
        "current_citizen": getattr(request.state, "citizen", None),
        "signed_in_session": session,
        "session_seconds_left": seconds_until(session.expires_at) if session else 0,
        "session_idle_minutes": IDLE_TIMEOUT_S // 60,
        **_template_gettext(locale),
    }


def _locale_and_zone(context: Context) -> tuple[str, i18n.LocaleSettings]:
    request = context.get("request")
    if isinstance(request, Request):
        return i18n.locale_for(request), i18n.locale_settings(request)
    locale = context.get("locale")
    return (locale if locale in i18n.LOCALES else i18n.ENGLISH), i18n.LocaleSettings()


@jinja2.pass_context
def money_filter(context: Context, cents: int) -> str:
    """`{{ cents | money }}`: euros in the page's locale."""
    locale, _ = _locale_and_zone(context)
    return i18n.format_money(cents, locale)


@jinja2.pass_context
def number_filter(context: Context, value: int | Decimal) -> str:
    """`{{ count | number }}`: a number with the page locale's separators."""
    locale, _ = _locale_and_zone(context)
    return i18n.format_number(value, locale)


@jinja2.pass_context
def date_filter(context: Context, value: date | datetime, style: str = "long") -> str:
    """`{{ cycle.opens_at | date }}`: a calendar date in the deployment's time zone."""
    locale, settings = _locale_and_zone(context)
    return i18n.format_date(value, locale, settings.timezone, style)


@jinja2.pass_context
def time_filter(context: Context, value: datetime, style: str = "short") -> str:
    """`{{ session.expires_at | time }}`: a time of day in the deployment's time zone."""
    locale, settings = _locale_and_zone(context)
    return i18n.format_time(value, locale, settings.timezone, style)


@jinja2.pass_context
def datetime_filter(context: Context, value: datetime, style: str | None = None) -> str:
    """`{{ ballot.cast_at | datetime }}`: a date and time in the deployment's time zone."""
    locale, settings = _locale_and_zone(context)
    return i18n.format_datetime(value, locale, settings.timezone, style)


@jinja2.pass_context
def when_filter(
    context: Context,
    moment: datetime | None,
    timezone: str | None = None,
    *,
    with_time: bool = True,
) -> str:
    """`{{ change.created_at | when(cycle.settings.timezone) }}`: a moment in the page's locale,
    in the cycle's time zone (the deployment's when none is given)."""
    if moment is None:
        return ""
    locale, settings = _locale_and_zone(context)
    zone = ZoneInfo(timezone) if timezone else settings.timezone
    if with_time:
        return i18n.format_datetime(moment, locale, zone)
    return i18n.format_date(moment, locale, zone)


@jinja2.pass_context
def day_filter(context: Context, day: date | None) -> str:
    """`{{ settings.reference_date | day }}`: a calendar date in the page's locale."""
    if day is None:
        return ""
    locale, settings = _locale_and_zone(context)
    return i18n.format_date(day, locale, settings.timezone)


@jinja2.pass_context
def translate_filter(context: Context, message: str) -> str:
    """`{{ title | translate }}`: a message id held in a variable (marked with `N_` in Python),
    or a domain `Message` (translated by its id, its values filled in afterwards).

    The result is plain text, so autoescaping still applies: unlike `_(variable)`, this is safe
    for text that might contain user input.
    """
    locale, settings = _locale_and_zone(context)
    return i18n.translate_text(message, locale, settings.timezone)


def _content_language(context: Context, source: Any) -> str | None:
    """The language of a text written for a cycle: that of `source` (anything with a
    `content_language`, such as a Cycle), else that of the page's `cycle`."""
    for candidate in (source, context.get("cycle")):
        tag = getattr(candidate, "content_language", None)
        if isinstance(tag, str):
            return tag
    return None


def _foreign_language(context: Context, source: Any) -> str | None:
    """The content's language when it differs from the page's, else None."""
    tag = _content_language(context, source)
    if tag is None or same_language(tag, _locale_and_zone(context)[0]):
        return None
    return tag


@jinja2.pass_context
def content_filter(context: Context, text: str | None, source: Any = None) -> Markup:
    """`{{ project.title | content }}`: a text the municipality or a citizen wrote, in a
    `<span lang="...">` when the page is in another language (WCAG 3.1.2), so a screen reader
    speaks it in its own voice. The language is the cycle's (see `_content_language`)."""
    if not text:
        return Markup("")
    tag = _foreign_language(context, source)
    if tag is None:
        return escape(text)
    return Markup('<span lang="%s">%s</span>') % (tag, text)


@jinja2.pass_context
def lang_attribute(context: Context, source: Any = None) -> Markup:
    """`<option{{ lang_attr() }}>`: the same marking as an attribute, for an element whose
    whole text is the cycle's content (options, SVG text, inputs holding it)."""
    tag = _foreign_language(context, source)
    return Markup("") if tag is None else Markup(' lang="%s"') % tag


@jinja2.pass_context
def event_reason_filter(context: Context, event: ReviewEvent) -> Markup:
    """`{{ event | event_reason }}`: a review event's public reason, with what was written for
    the cycle (a reviewer's words, the title in civica's sentence for a merge) marked with its
    language as `content` does."""
    reason = template_helpers.event_reason(event)
    if not isinstance(reason, Message):
        return content_filter(context, reason)
    locale, settings = _locale_and_zone(context)
    values = i18n.message_values(reason, locale, settings.timezone)
    values["title"] = content_filter(context, values["title"])
    return escape(i18n.translations(locale).gettext(reason.msgid)).format(**values)


@jinja2.pass_context
def phase_change_reason_filter(context: Context, reason: str) -> Markup:
    """`{{ change.reason | phase_change_reason }}`: an administrator's words, marked as
    `content`, or the sentence an import recorded, in the page's language."""
    recorded = template_helpers.phase_change_reason(reason)
    if not isinstance(recorded, Message):
        return content_filter(context, recorded)
    locale, settings = _locale_and_zone(context)
    return escape(i18n.translate_text(recorded, locale, settings.timezone))


@jinja2.pass_context
def language_name_filter(context: Context, tag: str) -> str:
    """`{{ cycle.content_language | language_name }}`: "Polish" in English, "polaco" in pt-PT."""
    return language_name(tag, _locale_and_zone(context)[0])


@jinja2.pass_context
def finalize(context: Context, value: Any) -> Any:
    """Every `{{ value }}`: a domain `Message` (a validation problem, a status name) is shown in
    the page's language. Other strings are left alone: user input is never looked up."""
    if isinstance(value, Message):
        locale, settings = _locale_and_zone(context)
        return i18n.translate_text(value, locale, settings.timezone)
    return value


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """Render a page with the request's locale, CSRF token and signed-in user."""
    templates: Jinja2Templates = request.app.state.templates
    response: Response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Content-Language"] = i18n.locale_for(request)
    return response


def create_templates(locale_settings: i18n.LocaleSettings | None = None) -> Templates:
    """Build the template renderer shared by every route (locale settings from the environment)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resource_dir("templates"))),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize,
    )
    # Only reached by templates rendered outside a request (each request brings its own).
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.globals["static_url"] = static_url
    env.globals["lang_attr"] = lang_attribute
    template_helpers.install(env)
    env.filters.update(
        money=money_filter,
        number=number_filter,
        date=date_filter,
        time=time_filter,
        datetime=datetime_filter,
        translate=translate_filter,
        when=when_filter,
        day=day_filter,
        content=content_filter,
        language_name=language_name_filter,
        event_reason=event_reason_filter,
        phase_change_reason=phase_change_reason_filter,
    )
    templates = Templates(env=env, context_processors=[_request_context])
    templates.locale_settings = locale_settings or i18n.LocaleSettings.from_env()
    return templates
