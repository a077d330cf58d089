"""Staff login/logout (session cookie, CSRF-protected forms) and API-key authentication."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFProtect

from app.db import get_session
from app.domain.access import ANONYMOUS, Reader
from app.models import ApiKey, ReceivingUnit, User
from app.ratelimit import limiter
from app.services import accounts
from app.web.common import audit
from app.web.errors import error_response

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
STAFF_ROLES = ("office_admin", "office_reviewer", "unit_clerk")


def current_user() -> User | None:
    if "user" not in g:
        uid = session.get("uid")
        user = get_session().get(User, uid) if uid else None
        g.user = user if user is not None and user.active else None
    return g.user


def letter_reader() -> Reader:
    """Who is asking, for the letter access rule (``app.domain.access``): the API key's unit,
    the signed-in account's role and unit, or the public."""
    db = get_session()
    key = g.get("api_key")
    if key is not None:
        unit = db.get(ReceivingUnit, key.unit_id) if key.unit_id is not None else None
        return Reader(unit_name=unit.name if unit is not None else None)
    user = current_user()
    if user is None:
        return ANONYMOUS
    unit = db.get(ReceivingUnit, user.unit_id) if user.unit_id is not None else None
    return Reader.for_role(user.role, unit.name if unit is not None else None)


def login_required(*roles: str) -> Callable:
    """Views for signed-in users; with ``roles``, only those roles (others get 403)."""
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path))
            if roles and user.role not in roles:
                return error_response(403, "forbidden", "您的账号无权访问此页面")
            return view(*args, **kwargs)
        return wrapped
    return decorator


def api_key_required(view: Callable) -> Callable:
    """API views for machine clients: ``Authorization: Bearer <key>``; the key is in ``g.api_key``."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        record: ApiKey | None = None
        if scheme.lower() == "bearer" and token:
            record = accounts.find_api_key(get_session(), token,
                                           current_app.config["SECRET_KEY"].encode())
        if record is None:
            resp = error_response(401, "unauthorized", "缺少或无效的接口密钥（Authorization: Bearer <key>）")
            resp.headers["WWW-Authenticate"] = 'Bearer realm="lyxy"'
            return resp
        g.api_key = record
        audit("api_key_use", "api_key", record.prefix, method=request.method, path=request.path)
        get_session().commit()  # records last use and the audit entry
        return view(*args, **kwargs)
    return wrapped


def _safe_next(target: str | None, user: User) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") \
            and not target.startswith("//"):
        return target
    return url_for("agencies.agency_home" if user.role == "agency_user" else "staff.home")


def _username_key() -> str:
    return "login:" + request.form.get("username", "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("5 per minute", key_func=_username_key, methods=["POST"])
def login() -> Response | str | tuple[str, int]:
    if request.method == "GET":
        return render_template("login.html", error=None)
    db = get_session()
    username = request.form.get("username", "")
    user = accounts.authenticate(db, username, request.form.get("password", ""))
    if user is None:
        audit("login_failed", "user", username[:50])
        db.commit()
        return render_template("login.html", error="用户名或密码错误"), 401
    session.clear()  # a fresh session on login (no fixation)
    session.permanent = True
    session["uid"] = user.id
    audit("login", "user", user.username)
    db.commit()
    flash(f"欢迎，{user.display_name}")
    return redirect(_safe_next(request.args.get("next"), user), code=303)


@bp.post("/logout")
def logout() -> Response:
    if current_user() is not None:
        audit("logout", "user", current_user().username)
        get_session().commit()
    session.clear()
    return redirect(url_for("public.index"), code=303)


def init_app(app: Flask) -> None:
    https = app.config["PUBLIC_BASE_URL"].startswith("https://")
    app.config.setdefault("SESSION_COOKIE_SECURE", https)
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=8))
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # tied to the session instead
    csrf.init_app(app)
    app.register_blueprint(bp)

    @app.context_processor
    def _inject_user() -> dict[str, Any]:
        return {"current_user": current_user()}
