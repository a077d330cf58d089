"""Gunicorn settings for ``make run``: warm each worker so the first visitor is not slow."""

import os

# LYXY_BIND: where gunicorn listens ("0.0.0.0:8000", "unix:/run/lyxy/web.sock", several
# separated by commas); make run passes its own unix socket with --bind (app/front.py).
bind = [b.strip() for b in os.environ.get("LYXY_BIND", "").split(",") if b.strip()] \
    or [f"127.0.0.1:{os.environ.get('PORT', '8000')}"]
workers = int(os.environ.get("LYXY_WORKERS", "2"))
threads = 4
timeout = 60
accesslog = "-"
# The standard format, with API keys, tokens and verification codes redacted (issue 10 §5).
logger_class = "app.access_log.RedactingLogger"


def on_starting(server):
    """Check the configuration once, in the master, before any worker starts: a shared
    deployment without its keys stops here with the list of what is missing, and a loopback
    PUBLIC_BASE_URL (printed into every QR code) is warned about."""
    from app import create_app
    from app.config import SharedDeploymentError, startup_warnings

    try:
        app = create_app()
    except SharedDeploymentError as exc:
        server.log.error("%s", exc)
        raise SystemExit(3) from exc
    for warning in startup_warnings(app.config):
        server.log.warning("%s", warning)
    app.extensions["lyxy_engine"].dispose()


def post_worker_init(worker):  # noqa: ARG001 - gunicorn hook signature
    import time

    from app.archive import intake
    from app.documents.render import warm_up

    seconds = warm_up()
    start = time.perf_counter()
    intake.warm_up()  # the sandboxed PDF parser's worker, so the first upload is not slow
    worker.log.info("字体与模板已预热（%.2f 秒），上传检查进程已就绪（%.2f 秒）", seconds,
                    time.perf_counter() - start)
    # Fonts, templates and imports live for the worker's whole life: keep them out of the
    # cyclic garbage collector's scans (measured ~13% off long renders).
    import gc

    gc.collect()
    gc.freeze()
