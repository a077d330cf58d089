"""Public site for published commitments (公示): search, browse, detail, watermarked copy."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from flask import Blueprint, Flask, Response, abort, jsonify, render_template, request, send_file
from sqlalchemy import select

from app.archive.search import SearchFilters, search_index_for
from app.db import get_session
from app.domain.publicity import public_filing
from app.domain.scenario_labels import KIND_LABELS, SCENARIO_LABELS
from app.models import Filing, ReceivingUnit
from app.services.filings import revoked_publication
from app.web.api_schemas import PublicFilingPage, PublicFilingQuery
from app.web.common import archive
from app.web.converters import row_id
from app.web.openapi import Reply, documented

bp = Blueprint("publicity", __name__)
PER_PAGE = 20


def _filters() -> tuple[str, SearchFilters, int]:
    args = request.args

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(args.get(name, ""))
        except ValueError:
            return None

    filters = SearchFilters(
        status=("published",), unit_id=row_id(args.get("unit", type=int)),
        scenario=args.get("scenario") if args.get("scenario") in SCENARIO_LABELS else None,
        subject_kind=args.get("kind") if args.get("kind") in KIND_LABELS else None,
        date_from=day("from"), date_to=day("to"))
    page = max(1, min(args.get("page", 1, type=int) or 1, 500))
    return args.get("q", "").strip()[:100], filters, page


def last_page(total: int, per_page: int) -> int:
    """Number of the last result page (1 when there are no results)."""
    return max(1, -(-total // per_page))


def _search() -> dict[str, Any]:
    q, filters, page = _filters()
    db = get_session()
    index = search_index_for(db)
    result = index.query_index(db, q, filters, page=page, per_page=PER_PAGE)
    if page > (last := last_page(result.total, PER_PAGE)):  # ?page=3 of 2 shows page 2 (issue 12 §4)
        page, result = last, index.query_index(db, q, filters, page=last, per_page=PER_PAGE)
    rows = {f.id: f for f in db.scalars(select(Filing).where(Filing.id.in_(result.ids)))}
    units = dict(db.execute(select(ReceivingUnit.id, ReceivingUnit.name)).all())
    items = [public_filing(rows[i], units.get(rows[i].unit_id, "")) for i in result.ids
             if i in rows and rows[i].status == "published"]
    total = f"{result.total:,}+" if result.total_capped else f"{result.total:,}"
    return {"q": q, "items": items, "total": result.total, "total_text": total,
            "total_capped": result.total_capped, "page": page, "per_page": PER_PAGE,
            "pages": last_page(result.total, PER_PAGE), "units": units}


@bp.get("/public/commitments")
def list_published() -> str:
    return render_template("public/commitments.html", **_search(), scenarios=SCENARIO_LABELS,
                           kinds=KIND_LABELS, args=request.args)


@bp.get("/api/v1/public/commitments")
@documented(summary="查询公示中的信用承诺（公开）", tag="公示", query=PublicFilingQuery,
            responses={200: Reply("一页公示记录，每页 20 条", PublicFilingPage)})
def list_published_json() -> Response:
    found = _search()
    return jsonify({k: found[k] for k in ("q", "items", "total", "total_capped", "page",
                                         "per_page")})


def _published(filing_id: int) -> Filing:
    filing = get_session().get(Filing, filing_id)
    if filing is None or filing.status != "published":
        abort(404)
    return filing


@bp.get("/public/commitments/<int:filing_id>")
def show_published(filing_id: int) -> str | tuple[str, int]:
    if (revoked := revoked_publication(get_session(), filing_id)) is not None:
        # 410 with a notice, not a bare 404: a link or QR code to it may be in circulation
        return render_template("public/commitment_revoked.html", filing=revoked), 410
    filing = _published(filing_id)
    unit = get_session().get(ReceivingUnit, filing.unit_id)
    newer = get_session().get(Filing, filing.superseded_by_id) if filing.superseded_by_id else None
    return render_template("public/commitment.html", item=public_filing(filing, unit.name),
                           newer_id=newer.id if newer and newer.status == "published" else None)


@bp.get("/public/commitments/<int:filing_id>/public-copy.pdf")
def public_copy(filing_id: int) -> Response:
    filing = _published(filing_id)
    if not filing.public_copy_sha256 or filing.subject_kind == "natural_person":
        abort(404)
    return send_file(BytesIO(archive().get(filing.public_copy_sha256)), mimetype="application/pdf",
                     download_name=f"信用承诺书公示-{filing.id}.pdf", max_age=0,
                     etag=filing.public_copy_sha256, conditional=True)  # revalidated: a revoked
    # copy must leave caches at once (it is 404 from then on)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
