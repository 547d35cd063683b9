"""The audit log, for administrators and observers, with a check of its hash chain."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.accounts import Role
from service.audit import AuditChainBroken, fetch_audit_page, verify_audit_chain
from service.forms import query_page, query_text
from service.routes.common import pagination
from service.staff_auth import require_staff
from service.templating import render

PER_PAGE = 50


@require_staff(Role.ADMINISTRATOR, Role.OBSERVER)
async def audit(request: Request) -> Response:
    pool = request.state.pool
    subject = query_text(request, "subject") or None
    page = query_page(request)
    entries, total = await fetch_audit_page(pool, subject=subject, page=page, per_page=PER_PAGE)
    broken: AuditChainBroken | None = None
    verified = 0
    if request.query_params.get("verify") == "1":
        try:
            verified = await verify_audit_chain(pool)
        except AuditChainBroken as error:
            broken = error
    context = {
        "entries": entries,
        "subject": subject,
        "paging": pagination(request, total, page, PER_PAGE),
        "checked": request.query_params.get("verify") == "1",
        "verified": verified,
        "broken": broken,
    }
    return render(request, "admin/audit.html", context)


routes = [Route("/admin/audit", audit, methods=["GET"], name="admin.audit")]
