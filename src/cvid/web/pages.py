"""Server-rendered pages (Jinja2): log in with a token, scenarios, assessments, the ledger
browser with in-browser proof checking, the compliance timeline, access requests, audit log.

The session is a server-side session whose random id is in an HttpOnly, SameSite=Strict cookie
(never the API token); every form carries an anti-forgery value checked on submit
(:mod:`cvid.web.session`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from cvid.compliance import agreement_id
from cvid.errors import InputError
from cvid.ledger import KIND_SIGNERS
from cvid.scenario import ScenarioError
from cvid.web import dashboard
from cvid.web.dashboard import summarize_record
from cvid.web.security import ROLES, Caller
from cvid.web.service import Forbidden, NotFound, Service
from cvid.web.session import (
    check_form,
    end_session,
    finish_form,
    form_token,
    page_caller,
    session_of,
    start_session,
)

#: The timeline and access pages read at most this many of the latest records.
PAGE_RECORDS_LIMIT = 5000
_here = resources.files("cvid.web")
templates = Jinja2Templates(directory=str(_here / "templates"))
templates.env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=2, ensure_ascii=False)


def login_redirect(request: Request, reason: str) -> Response:
    """Send a browser without a valid session to the login page."""
    target = quote(request.url.path)
    return RedirectResponse(f"/login?next={target}&why={quote(reason)}", status_code=303)


def _svc(request: Request) -> Service:
    svc: Service = request.app.state.service
    return svc


def _fmt_time(value: str | None) -> str:
    return (value or "")[:19].replace("T", " ")


templates.env.filters["when"] = _fmt_time
templates.env.filters["summary"] = summarize_record
templates.env.filters["day"] = lambda v: (v or "")[:10]


Who = Annotated[Caller, Depends(page_caller)]


def mount_pages(app: FastAPI, authenticate: Any) -> None:
    """Add the HTML pages and static files to ``app``."""
    app.mount("/static", StaticFiles(directory=str(_here / "static")), name="static")

    def render(
        request: Request, name: str, who: Caller | None, status: int = 200, **ctx: Any
    ) -> HTMLResponse:
        base = {
            "who": who,
            "csrf": form_token(request),
        }
        return templates.TemplateResponse(request, name, {**base, **ctx}, status_code=status)

    def check_csrf(request: Request, value: str) -> None:
        check_form(request, value)

    # ------------------------------------------------------------------ session
    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request, next: str = "/", why: str = "") -> Response:
        page = render(request, "login.html", None, next=_safe_next(next), why=why[:200])
        return finish_form(request, page)

    @app.post("/login", include_in_schema=False)
    def login(
        request: Request,
        token: Annotated[str, Form(max_length=200)],
        next: Annotated[str, Form(max_length=2000)] = "/",
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        check_csrf(request, csrf)
        svc = _svc(request)
        limiter = request.app.state.limiter
        client = request.client.host if request.client else "unknown"
        who = svc.authenticate(token.strip())  # a valid token works even during a lockout
        if who is None:
            locked = limiter.retry_after(client) > 0
            limiter.fail(client)
            request.state.error = (
                "login refused: too many failed logins" if locked else "login failed: invalid token"
            )
            why = "too many failed logins; wait a minute" if locked else "invalid token"
            page = render(
                request, "login.html", None, 429 if locked else 401, next=_safe_next(next), why=why
            )
            return finish_form(request, page)
        request.state.caller = who
        request.state.audit = f"logged in as {who.name}"
        resp = RedirectResponse(_safe_next(next), status_code=303)
        start_session(request, resp, who)
        return resp

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
        s = session_of(request)
        if s is not None:  # ending a live session needs the session's own form value
            request.state.caller = s.caller
            check_csrf(request, csrf)
        resp = RedirectResponse("/login", status_code=303)
        live = end_session(request, resp)
        request.state.audit = "logged out" if live else "logout without a session"
        return resp

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    # ------------------------------------------------------------------ dashboard
    def dashboard_context(request: Request) -> dict[str, Any]:
        svc = _svc(request)
        led = svc.ledger
        return {
            "d": dashboard.build(svc),
            "verifier_key": led.verifier_key,
            "origin": led.origin,
        }

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request, who: Who) -> HTMLResponse:
        ctx = dashboard_context(request)
        may_sign = sorted(k for k, v in KIND_SIGNERS.items() if who.role in v)
        return render(request, "dashboard.html", who, may_sign=may_sign, **ctx)

    @app.get("/dashboard/version", include_in_schema=False)
    def dashboard_version(request: Request, who: Who) -> JSONResponse:
        svc = _svc(request)
        return JSONResponse({"version": dashboard.version(svc), "tree_size": svc.ledger.size})

    @app.get("/dashboard/live", response_class=HTMLResponse, include_in_schema=False)
    def dashboard_live(request: Request, who: Who) -> HTMLResponse:
        return render(request, "dashboard_live.html", who, **dashboard_context(request))

    # ------------------------------------------------------------------ scenarios
    @app.get("/scenarios", response_class=HTMLResponse, include_in_schema=False)
    def scenarios(request: Request, who: Who, error: str = "") -> HTMLResponse:
        rows = _svc(request).store.scenarios()
        return render(request, "scenarios.html", who, scenarios=rows, error=error[:500])

    @app.post("/scenarios", include_in_schema=False)
    async def upload(
        request: Request,
        who: Who,
        csrf: Annotated[str, Form()],
        toml: Annotated[str, Form(max_length=512_000)] = "",
        file: UploadFile | None = None,
    ) -> Response:
        check_csrf(request, csrf)
        text = toml
        if file is not None and file.filename:
            raw = await file.read(512_001)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = ""
        svc = _svc(request)
        try:
            row = await run_in_threadpool(svc.upload_scenario, text, who)
        except ScenarioError as exc:
            rows = await run_in_threadpool(svc.store.scenarios)
            return render(
                request, "scenarios.html", who, 422, scenarios=rows, error=exc.describe(), toml=text
            )
        request.state.audit = f"uploaded scenario {row['id']} ({row['name']})"
        return RedirectResponse(f"/scenarios/{row['id']}", status_code=303)

    @app.get("/scenarios/{scenario_id}", response_class=HTMLResponse, include_in_schema=False)
    def scenario(request: Request, scenario_id: int, who: Who) -> HTMLResponse:
        svc = _svc(request)
        row = svc.scenario(scenario_id)
        from cvid.negotiate import strategy_names

        strategies = list(strategy_names(Service.parse_scenario(row["toml"])))
        return render(
            request,
            "scenario.html",
            who,
            scenario=row,
            assessments=svc.store.assessments(scenario_id),
            simulations=[j for j in svc.store.jobs(200) if j["scenario_id"] == scenario_id],
            strategies=strategies,
        )

    @app.post("/scenarios/{scenario_id}/assess", include_in_schema=False)
    def run_assessment(
        request: Request, scenario_id: int, who: Who, csrf: Annotated[str, Form()]
    ) -> Response:
        check_csrf(request, csrf)
        row = _svc(request).run_assessment(scenario_id, who)
        request.state.audit = f"assessment {row['id']} of scenario {scenario_id}"
        return RedirectResponse(f"/assessments/{row['id']}", status_code=303)

    @app.post("/scenarios/{scenario_id}/simulate", include_in_schema=False)
    def simulate(
        request: Request,
        scenario_id: int,
        who: Who,
        csrf: Annotated[str, Form()],
        runs: Annotated[int, Form(ge=1, le=200_000)] = 2000,
        months: Annotated[int, Form(ge=1, le=600)] = 60,
        seed: Annotated[int, Form(ge=0, le=2**63 - 1)] = 1,
    ) -> Response:
        check_csrf(request, csrf)
        job = _svc(request).start_simulation(
            scenario_id, who, strategies=None, runs=runs, months=months, seed=seed
        )
        request.state.audit = f"simulation {job['id']} of scenario {scenario_id}"
        return RedirectResponse(f"/simulations/{job['id']}", status_code=303)

    @app.get("/simulations/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def simulation(request: Request, job_id: int, who: Who) -> HTMLResponse:
        job = _svc(request).job(job_id)
        return render(request, "simulation.html", who, job=job)

    # ------------------------------------------------------------------ assessments
    @app.get("/assessments/{assessment_id}", response_class=HTMLResponse, include_in_schema=False)
    def assessment(request: Request, assessment_id: int, who: Who) -> HTMLResponse:
        svc = _svc(request)
        row = svc.assessment(assessment_id)
        svc.report(assessment_id)  # starts rendering it in the background if need be
        return render(request, "assessment.html", who, a=row, result=row["result"])

    @app.get("/assessments/{assessment_id}/report", include_in_schema=False)
    def report(request: Request, assessment_id: int, who: Who) -> Response:
        html = _svc(request).report(assessment_id)
        if html is None:
            return render(request, "rendering.html", who, aid=assessment_id)
        return HTMLResponse(html)

    @app.get(
        "/scenarios/{scenario_id}/compliance", response_class=HTMLResponse, include_in_schema=False
    )
    def compliance(request: Request, scenario_id: int, who: Who, at: str = "") -> HTMLResponse:
        svc = _svc(request)
        row = svc.scenario(scenario_id)
        state = svc.compliance(scenario_id, at=at or None, check=False).to_dict()
        believed = dashboard.belief(svc, scenario_id, movers=5, demands=100, at=at or None)
        return render(request, "compliance.html", who, scenario=row, state=state, beliefs=believed)

    # ------------------------------------------------------------------ ledger
    @app.get("/ledger", response_class=HTMLResponse, include_in_schema=False)
    def ledger(
        request: Request, who: Who, start: int = 0, error: str = "", ok: str = ""
    ) -> HTMLResponse:
        led = _svc(request).ledger
        size = led.size
        start = max(0, min(start, max(size - 1, 0)))
        entries = list(led.records(start, min(start + 50, size)))
        return render(
            request,
            "ledger.html",
            who,
            entries=entries,
            size=size,
            start=start,
            origin=led.origin,
            verifier_key=led.verifier_key,
            checkpoint=led.checkpoint(),
            may_sign=sorted(k for k, v in KIND_SIGNERS.items() if who.role in v),
            error=error[:1000],
            ok=ok[:200],
        )

    @app.post("/ledger/append", include_in_schema=False)
    def append(
        request: Request,
        who: Who,
        csrf: Annotated[str, Form()],
        records: Annotated[str, Form(max_length=900_000)],
    ) -> Response:
        check_csrf(request, csrf)
        try:
            data = json.loads(records)
        except json.JSONDecodeError as exc:
            return RedirectResponse(f"/ledger?error={quote('not JSON: ' + str(exc))}", 303)
        batch = data if isinstance(data, list) else [data]
        try:
            indices = _svc(request).append(batch, who)
        except (InputError, Forbidden) as exc:
            msg = exc.describe() if isinstance(exc, InputError) else str(exc)
            request.state.error = msg
            return RedirectResponse(f"/ledger?error={quote(msg)}", 303)
        request.state.audit = f"appended records {indices[0]}..{indices[-1]}"
        start = max(indices[0] - 49, 0) if indices[-1] >= 50 else 0
        done = quote(f"appended {', '.join(map(str, indices))}")
        return RedirectResponse(f"/ledger?start={start}&ok={done}", 303)

    @app.get("/ledger/sign", response_class=HTMLResponse, include_in_schema=False)
    def sign_page(request: Request, who: Who, kind: str = "") -> HTMLResponse:
        may_sign = sorted(k for k, v in KIND_SIGNERS.items() if who.role in v)
        chosen = kind if kind in may_sign else (may_sign[0] if may_sign else "")
        return render(
            request,
            "sign.html",
            who,
            may_sign=may_sign,
            kind=chosen,
            agreements=_agreement_ids(_svc(request)),
        )

    @app.post("/ledger/sign/append", include_in_schema=False)
    async def sign_append(request: Request, who: Who) -> JSONResponse:
        """Append records signed in the browser (JSON ``{"records": [...]}``); the session
        cookie authenticates and the ``X-CSRF-Token`` header must carry the page's value."""

        def refuse(status: int, message: str, **extra: Any) -> JSONResponse:
            request.state.error = message
            return JSONResponse({"detail": message, **extra}, status_code=status)

        try:
            check_form(request, request.headers.get("x-csrf-token"))
        except Forbidden:
            return refuse(403, "the page is stale or from another site; reload it")
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return refuse(415, "send the records as application/json")
        try:
            body = json.loads(await request.body())
        except (ValueError, RecursionError):
            return refuse(422, "the body is not JSON")
        records = body.get("records") if isinstance(body, dict) else None
        if not isinstance(records, list) or not 1 <= len(records) <= 1000:
            return refuse(422, 'send {"records": [1 to 1000 signed records]}', field="records")
        try:
            indices = await run_in_threadpool(_svc(request).append, records, who)
        except InputError as exc:
            return refuse(422, exc.describe(), field=exc.field)
        except Forbidden as exc:
            return refuse(403, str(exc))
        request.state.audit = f"appended records {indices[0]}..{indices[-1]} signed in the browser"
        return JSONResponse({"indices": indices, "tree_size": indices[-1] + 1}, status_code=201)

    @app.get("/ledger/records/{index}", response_class=HTMLResponse, include_in_schema=False)
    def record(request: Request, index: int, who: Who) -> HTMLResponse:
        led = _svc(request).ledger
        if not 0 <= index < led.size:
            raise NotFound(f"no record {index}")
        return render(request, "record.html", who, e=led.get(index), verifier_key=led.verifier_key)

    # ------------------------------------------------------------------ compliance views
    @app.get("/timeline", response_class=HTMLResponse, include_in_schema=False)
    def timeline(request: Request, who: Who) -> HTMLResponse:
        led = _svc(request).ledger
        size = led.size
        first = max(size - PAGE_RECORDS_LIMIT, 0)
        entries = list(led.records(first, size))
        events = sorted(entries, key=lambda e: (e.record["time"], e.index))
        by_commitment: dict[str, list[Any]] = {}
        for e in events:
            for c in e.refs["commitments"] or ["(no commitment)"]:
                by_commitment.setdefault(c, []).append(e)
        scenario_rows = _svc(request).store.scenarios()
        return render(
            request,
            "timeline.html",
            who,
            first=first,
            events=events,
            by_commitment=by_commitment,
            scenarios=scenario_rows,
        )

    @app.get("/access", response_class=HTMLResponse, include_in_schema=False)
    def access(request: Request, who: Who) -> HTMLResponse:
        led = _svc(request).ledger
        size = led.size
        first = max(size - PAGE_RECORDS_LIMIT, 0)
        rows = access_requests(e.record | {"_index": e.index} for e in led.records(first, size))
        return render(request, "access.html", who, requests=rows, first=first)

    # ------------------------------------------------------------------ administration
    def admin_page(
        request: Request,
        who: Caller,
        status: int = 200,
        *,
        issued: dict[str, str] | None = None,
        error: str = "",
        ok: str = "",
    ) -> HTMLResponse:
        if not who.may("parties.write"):
            raise Forbidden(f"a {who.role} may not administer parties")
        svc = _svc(request)
        active = svc.store.token_states()
        parties = [{**p, "active": active.get(p["name"], True)} for p in svc.store.parties()]
        return render(
            request,
            "admin.html",
            who,
            status,
            parties=parties,
            roles=ROLES,
            issued=issued,
            error=error,
            ok=ok,
        )

    @app.get("/admin", response_class=HTMLResponse, include_in_schema=False)
    def admin(request: Request, who: Who) -> HTMLResponse:
        return admin_page(request, who)

    def admin_action(request: Request, who: Caller, csrf: str, action: Any) -> HTMLResponse:
        check_csrf(request, csrf)
        if not who.may("parties.write"):
            raise Forbidden(f"a {who.role} may not administer parties")
        try:
            return action()  # type: ignore[no-any-return]
        except (InputError, NotFound) as exc:
            msg = exc.describe() if isinstance(exc, InputError) else str(exc)
            request.state.error = msg
            return admin_page(request, who, 422 if isinstance(exc, InputError) else 404, error=msg)

    @app.post("/admin/parties", response_class=HTMLResponse, include_in_schema=False)
    def admin_create(
        request: Request,
        who: Who,
        csrf: Annotated[str, Form()],
        name: Annotated[str, Form(max_length=64)],
        role: Annotated[str, Form(max_length=16)],
        public_key: Annotated[str, Form(max_length=200)] = "",
    ) -> HTMLResponse:
        def act() -> HTMLResponse:
            key = _public_key_text(public_key) or None
            party, token = _svc(request).add_party(name.strip(), role, key, who.name)
            request.state.audit = f"created party {party['name']} ({party['role']})"
            issued = {"name": party["name"], "token": token, "what": "created"}
            return admin_page(request, who, 201, issued=issued)

        return admin_action(request, who, csrf, act)

    @app.post("/admin/parties/{name}/token", response_class=HTMLResponse, include_in_schema=False)
    def admin_rotate(
        request: Request, name: str, who: Who, csrf: Annotated[str, Form()]
    ) -> HTMLResponse:
        def act() -> HTMLResponse:
            token = _svc(request).rotate_token(name)
            request.state.audit = f"new token for {name}"
            return admin_page(
                request, who, issued={"name": name, "token": token, "what": "given a new token"}
            )

        return admin_action(request, who, csrf, act)

    @app.post("/admin/parties/{name}/revoke", response_class=HTMLResponse, include_in_schema=False)
    def admin_revoke(
        request: Request, name: str, who: Who, csrf: Annotated[str, Form()]
    ) -> HTMLResponse:
        def act() -> HTMLResponse:
            if name == who.name:
                raise InputError(
                    "you cannot revoke your own token here; another admin can", field="name"
                )
            _svc(request).revoke_token(name)
            request.state.audit = f"revoked the token of {name}"
            return admin_page(request, who, ok=f"the token of {name} is revoked")

        return admin_action(request, who, csrf, act)

    @app.post("/admin/parties/{name}/key", response_class=HTMLResponse, include_in_schema=False)
    def admin_key(
        request: Request,
        name: str,
        who: Who,
        csrf: Annotated[str, Form()],
        public_key: Annotated[str, Form(max_length=200)],
    ) -> HTMLResponse:
        def act() -> HTMLResponse:
            _svc(request).register_key(name, _public_key_text(public_key))
            request.state.audit = f"registered the key of {name}"
            return admin_page(request, who, ok=f"the public key of {name} is registered")

        return admin_action(request, who, csrf, act)

    @app.get("/audit", response_class=HTMLResponse, include_in_schema=False)
    def audit(request: Request, who: Who) -> HTMLResponse:
        if not who.may("audit.read"):
            raise Forbidden(f"a {who.role} may not read the audit log")
        return render(request, "audit.html", who, lines=_svc(request).store.audit_log(500))


def _public_key_text(text: str) -> str:
    """A public key pasted as base64 or as the content of a ``.pub`` file; its base64."""
    text = text.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise InputError("not a .pub file (not JSON)", field="public_key") from None
        if not isinstance(data, dict) or "private_key" in data:
            raise InputError(
                "paste the public key (.pub), never the private key", field="public_key"
            )
        return str(data.get("public_key", ""))
    return text


def _agreement_ids(svc: Service) -> list[str]:
    """The agreement id of each uploaded scenario (newest upload of each name first)."""
    seen: set[str] = set()
    out: list[str] = []
    for row in svc.store.scenarios():
        if row["name"] in seen:
            continue
        seen.add(row["name"])
        toml = svc.scenario(row["id"])["toml"]
        try:
            s = Service.parse_scenario(toml)
        except ScenarioError:
            continue
        ident = agreement_id(s)
        if ident not in out:
            out.append(ident)
    return out


def _safe_next(target: str) -> str:
    """Only same-site paths (no scheme, no //host) are followed after login."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def access_requests(records: Any) -> list[dict[str, Any]]:
    """Access requests from the ledger with the answer to each (granted or denied, by whom)
    and the response time in hours between the request's and the answer's event times."""
    out: dict[str, dict[str, Any]] = {}
    answers: list[Mapping[str, Any]] = []
    for rec in records:
        kind = rec["kind"]
        if kind == "access-request":
            rid = rec["payload"]["request_id"]
            out.setdefault(
                rid,
                {
                    "request_id": rid,
                    "index": rec["_index"],
                    "site": rec["payload"]["site"],
                    "access": rec["payload"]["access"],
                    "requested": rec["time"],
                    "deadline": rec["payload"].get("deadline"),
                    "by": rec["signer"]["name"],
                    "answer": None,
                    "answered": None,
                    "answer_index": None,
                    "hours": None,
                },
            )
        elif kind in ("access-granted", "access-denied"):
            answers.append(rec)
    for rec in answers:
        req = out.get(rec["payload"]["request_id"])
        if req is None or req["answer"] is not None:
            continue
        req["answer"] = (
            f"granted ({rec['payload']['scope']})" if rec["kind"] == "access-granted" else "denied"
        )
        req["answered"] = rec["time"]
        req["answer_index"] = rec["_index"]
        t0 = datetime.fromisoformat(req["requested"].replace("Z", "+00:00"))
        t1 = datetime.fromisoformat(rec["time"].replace("Z", "+00:00"))
        req["hours"] = round((t1 - t0).total_seconds() / 3600, 1)
    return sorted(out.values(), key=lambda r: (r["requested"], r["index"]))
