"""Response headers every page gets: no sniffing, no framing, a strict content policy; and
``Cache-Control: no-store`` on everything that carries personal data."""

from __future__ import annotations

from flask import Flask, Response, g, request

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # Pages use no scripts at all; inline styles only.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
}
NO_STORE = "no-store"
NO_STORE_PREFIXES = ("/staff", "/agency", "/login", "/logout")
"""Issue 10 §1: every staff and agency page and file (filing originals and previews with the
full ID, stamp jobs, certificates), and the login page."""
NO_STORE_ENDPOINTS = frozenset({
    "public.show_commitment", "public.download_commitment",  # the letter with the full ID (c=)
    "public.create_commitment",  # a refused form echoes the typed ID number
    "api.create_commitment",  # answers the verification code, the key to the full letter
})


def mark_no_store() -> None:
    """Mark the current response as personal (for a view outside the rules below)."""
    g.no_store = True


def carries_personal_data() -> bool:
    """Whether the response to this request may carry personal data, so that no browser or
    proxy may keep a copy: staff/agency areas, the applicant's letter, any request made with an
    API key or by a signed-in account, and views marked with ``mark_no_store``."""
    if g.get("no_store") or g.get("api_key") is not None or g.get("user") is not None:
        return True
    path = request.path
    if any(path == p or path.startswith(p + "/") for p in NO_STORE_PREFIXES):
        return True
    return request.endpoint in NO_STORE_ENDPOINTS


def _add_headers(resp: Response) -> Response:
    for name, value in HEADERS.items():
        resp.headers.setdefault(name, value)
    if carries_personal_data():
        # replaces send_file's "public, max-age=3600" on previews that show the full ID
        resp.headers["Cache-Control"] = NO_STORE
        resp.headers["Pragma"] = "no-cache"  # HTTP/1.0 caches
        resp.headers.pop("Expires", None)
    return resp


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)
