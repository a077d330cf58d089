"""Gunicorn settings for ``make run``: warm each worker so the first visitor is not slow."""

import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("LYXY_WORKERS", "2"))
threads = 4
timeout = 60
accesslog = "-"


def post_worker_init(worker):  # noqa: ARG001 - gunicorn hook signature
    from app.documents.render import warm_up

    seconds = warm_up()
    worker.log.info("字体与模板已预热（%.2f 秒）", seconds)
