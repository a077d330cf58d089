"""信用文书服务: the Flask application factory."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Flask is imported when an app is built, so that importing app.domain
    from flask import Flask  # or another package below app/web never loads it


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``LYXY_*`` environment variables, then test overrides."""
    from flask import Flask

    app = Flask(__name__, template_folder="web/templates",
                instance_path=(test_config or {}).get("INSTANCE_PATH")
                or os.environ.get("LYXY_INSTANCE_PATH") or None,
                instance_relative_config=True)
    from app import config

    config.load(app, test_config)
    app.json.ensure_ascii = False  # JSON in readable UTF-8 Chinese for API clients

    from app import cli, db, extensions, logging_setup, ratelimit
    from app.web import (
        agencies,
        api,
        auth,
        credit,
        downloads,
        errors,
        filings,
        filters,
        public,
        publicity,
        security,
        staff,
    )

    extensions.init_fonts(app)  # the office's own faces (OFFICE_FONTS) before the font check
    logging_setup.init_app(app)
    db.init_app(app)
    extensions.init_app(app)  # blob store, cipher, clock, signer, audit: app.extensions["lyxy"]
    ratelimit.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    downloads.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    public.init_app(app)
    staff.init_app(app)
    filings.init_app(app)
    publicity.init_app(app)
    credit.init_app(app)
    agencies.init_app(app)
    api.init_app(app)
    cli.init_app(app)
    return app
