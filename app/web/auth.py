"""Staff login/logout (session cookie, CSRF-protected forms) and API-key authentication; failed
attempts of both are limited across workers, and credentials are refused in URLs."""

from __future__ import annotations

import re
from collections.abc import Callable
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
from app.domain.roles import Role
from app.models import ApiKey, ReceivingUnit, User
from app.ratelimit import failure_counter, failure_limits, get_remote_address
from app.services import accounts
from app.web.common import audit, now
from app.web.errors import error_response

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
# Query parameters that would carry a credential: refused, so that no key reaches an access log,
# a proxy log or a browser history (OWASP REST Security: "API keys in the URL" is a leak).
CREDENTIAL_PARAMS = frozenset({"api_key", "apikey", "api-key", "key", "token", "access_token",
                               "auth", "authorization", "password", "secret"})
_KEY_PREFIX = re.compile(r"lyxy_([0-9a-f]{12})_")


def _session_is_live(user: User) -> bool:
    """The cookie was issued for this user's current session version, less than
    PERMANENT_SESSION_LIFETIME (8 h) ago by the app's clock."""
    issued = session.get("iat")
    if session.get("sv") != user.session_version or not isinstance(issued, int):
        return False
    age = now().timestamp() - issued
    return 0 <= age < current_app.permanent_session_lifetime.total_seconds()


def current_user() -> User | None:
    if "user" not in g:
        uid = session.get("uid")
        user = get_session().get(User, uid) if uid else None
        if user is not None and not (user.active and _session_is_live(user)):
            user = None
        if user is None and uid:
            session.clear()  # logged out, expired or deactivated: the browser drops the cookie
        g.user = user
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
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if roles and user.role not in roles:
                return error_response(403, "forbidden", "您的账号无权访问此页面")
            return view(*args, **kwargs)
        return wrapped
    return decorator


def _too_many_failures(seconds: int, message: str) -> Response:
    resp = error_response(429, "rate_limited", f"{message}，请{seconds}秒后再试")
    resp.headers["Retry-After"] = str(seconds)
    return resp


def _authenticate_api_key() -> Response | None:
    """Check ``Authorization: Bearer <key>``: the key in ``g.api_key``, or the refusal (401, or
    429 after too many wrong keys).

    Wrong keys are counted per client address and per key prefix in the shared failure store;
    past the limit the answer is 429 before the key is even looked at."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    record: ApiKey | None = None
    limits = None
    if header:
        prefix = _KEY_PREFIX.match(token.strip())
        limits = failure_limits(get_remote_address(), prefix and "key:" + prefix.group(1))
        wait = failure_counter().retry_after(limits)
        if wait is not None:
            return _too_many_failures(wait, "接口密钥验证失败次数过多")
    if scheme.lower() == "bearer" and token:
        record = accounts.find_api_key(get_session(), token,
                                       current_app.config["SECRET_KEY"].encode())
    if record is None:
        if limits:
            failure_counter().record(limits)
        resp = error_response(401, "unauthorized", "缺少或无效的接口密钥（Authorization: Bearer <key>）")
        resp.headers["WWW-Authenticate"] = 'Bearer realm="lyxy"'
        return resp
    g.api_key = record
    audit("api_key_use", "api_key", record.prefix, method=request.method, path=request.path)
    get_session().commit()  # records last use and the audit entry
    return None


def api_key_required(view: Callable) -> Callable:
    """API views for machine clients: ``Authorization: Bearer <key>``; the key is in ``g.api_key``."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        refused = _authenticate_api_key()
        return refused if refused is not None else view(*args, **kwargs)
    wrapped.requires_api_key = True  # type: ignore[attr-defined]  # read by app.web.openapi
    return wrapped


def api_key_optional(view: Callable) -> Callable:
    """API views open to the public that show a unit more with its key: without an
    ``Authorization`` header the caller is the public; with one, the key must be valid (a wrong
    key is refused, never quietly treated as the public)."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not request.headers.get("Authorization"):
            return view(*args, **kwargs)
        refused = _authenticate_api_key()
        return refused if refused is not None else view(*args, **kwargs)
    wrapped.accepts_api_key = True  # type: ignore[attr-defined]  # read by app.web.openapi
    return wrapped


def _safe_next(target: str | None, user: User) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") \
            and not target.startswith("//"):
        return target
    return url_for("agencies.agency_home" if user.role == Role.AGENCY_USER else "staff.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if request.method == "GET":
        return render_template("login.html", error=None)
    db = get_session()
    username = request.form.get("username", "")
    # Failures per address and per username, shared by all workers; once locked out the
    # password is not checked, so a right guess then does not help.
    limits = failure_limits(get_remote_address(), "user:" + username.strip().lower()[:50])
    wait = failure_counter().retry_after(limits)
    if wait is not None:
        resp = Response(render_template(
            "login.html", error=f"登录失败次数过多，请求过于频繁，请{wait}秒后再试"), 429)
        resp.headers["Retry-After"] = str(wait)
        return resp
    user = accounts.authenticate(db, username, request.form.get("password", ""))
    if user is None:
        failure_counter().record(limits)
        audit("login_failed", "user", username[:50])
        db.commit()
        return render_template("login.html", error="用户名或密码错误"), 401
    session.clear()  # a fresh session on login (no fixation)
    session.permanent = True
    session["uid"] = user.id
    session["sv"] = user.session_version
    session["iat"] = int(now().timestamp())
    g.user = user
    audit("login", "user", user.username)
    db.commit()
    flash(f"欢迎，{user.display_name}")
    return redirect(_safe_next(request.args.get("next"), user), code=303)


@bp.post("/logout")
def logout() -> Response:
    user = current_user()
    if user is not None:
        audit("logout", "user", user.username)
        accounts.end_sessions(get_session(), user)  # copies of the cookie die with this one
        get_session().commit()
    session.clear()
    return redirect(url_for("public.index"), code=303)


def _refuse_credentials_in_url() -> Response | None:
    """Keys belong in the Authorization header; in a URL they end up in logs and histories."""
    found = sorted({name for name, value in request.args.items(multi=True)
                    if name.lower() in CREDENTIAL_PARAMS or _KEY_PREFIX.search(value)})
    if not found:
        return None
    message = "接口密钥只能放在 Authorization 请求头中，不能写在网址里"
    return error_response(400, "credentials_in_url", message, {name: message for name in found})


def init_app(app: Flask) -> None:
    # Session lifetime and cookie flags are set in app/config.py (Flask predefines those keys).
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # tied to the session instead
    csrf.init_app(app)
    app.before_request(_refuse_credentials_in_url)
    app.register_blueprint(bp)

    @app.context_processor
    def _inject_user() -> dict[str, Any]:
        return {"current_user": current_user()}
