"""Command-line tools: ``flask --app wsgi init-db | load-demo | make-samples | check-fonts``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema (Alembic upgrade head)."""
    from app.db import upgrade_database

    upgrade_database(current_app.config["DATABASE_URL"])
    click.echo("数据库已就绪")


@click.command("load-demo")
@with_appcontext
def load_demo_cmd() -> None:
    """Load demo data (receiving units); running it again adds nothing twice."""
    from app.db import get_session
    from app.demo import load_demo

    added = load_demo(get_session())
    click.echo(f"演示数据已就绪（新增 {added} 个接受承诺单位）")


@click.command("check-fonts")
@with_appcontext
def check_fonts_cmd() -> None:
    """Check the bundled fonts: files present, checksums, coverage of CJK URO and Ext A."""
    from app.documents.fonts import check_fonts, harfbuzz_subset_available

    problems = check_fonts()
    if not harfbuzz_subset_available():
        problems.append("HarfBuzz 子集化不可用（缺少 libharfbuzz-subset0）")
    for p in problems:
        click.echo(f"问题：{p}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo("字体检查通过")


@click.command("make-samples")
@with_appcontext
@click.option("--out", type=click.Path(path_type=Path), default=SAMPLES_DIR)
def make_samples(out: Path) -> None:
    """Regenerate samples/: input JSON, PDF, DOCX and a PNG of page 1 per variant."""
    from app.samples import write_samples

    for line in write_samples(out, date(2026, 11, 29)):
        click.echo(line)


def init_app(app: Flask) -> None:
    for cmd in (init_db, load_demo_cmd, check_fonts_cmd, make_samples):
        app.cli.add_command(cmd)
