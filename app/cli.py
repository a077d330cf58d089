"""Command-line tools: ``flask --app wsgi init-db | load-demo | load-samples | make-samples | ...``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.domain.roles import Role
from app.extensions import Services, services
from app.services.audit import AuditTrail

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema (Alembic upgrade head).

    An upgrade across migration 0012 (audit checkpoints) anchors the log that existed before
    it: those entries were never checkpointed, so this is the one moment a first checkpoint may
    be written without an operator's ``audit verify --checkpoint``."""
    from app.db import current_revision, get_session, upgrade_database

    url = current_app.config["DATABASE_URL"]
    before = current_revision(url)
    upgrade_database(url)
    if before is not None and before < AUDIT_CHECKPOINT_REVISION:
        from app.services.audit import head, now_iso

        count, last = head(get_session())
        if count:
            _services().checkpoints.append(count, last, now_iso(), may_start_chain=True)
            click.echo(f"已为升级前的{count}条审计记录建立第一个检查点")
    click.echo("数据库已就绪")


AUDIT_CHECKPOINT_REVISION = "0012"
"""The migration that introduced checkpoints of the audit log (revision ids sort as numbers)."""
CLI_ACTOR = "cli"
"""The audit log's name for whoever runs a command on the server."""


def _services() -> Services:
    return services(current_app)


def _trail() -> AuditTrail:
    """The audit trail of commands: each state-changing command's service records its entry."""
    return _services().trail(CLI_ACTOR)


@click.command("load-demo")
@with_appcontext
def load_demo_cmd() -> None:
    """Load demo data (units, seals, accounts); running it again adds nothing twice."""
    from app.db import get_session
    from app.demo import DEMO_ACCOUNTS, load_demo, load_demo_accounts, load_demo_seals
    from app.domain.credit_import import parse_credit_records
    from app.services.credit import import_records

    ctx = _services()
    session = get_session()
    added = load_demo(session)
    seals = load_demo_seals(session, ctx.archive, _trail())
    passwords = load_demo_accounts(session, ctx.instance_path / "demo-accounts.json", _trail())
    sample = SAMPLES_DIR / "credit-records.csv"
    outcome = import_records(session, ctx.pii_cipher, parse_credit_records(
        sample.read_bytes(), filename=sample.name, today=ctx.today()), source=sample.name,
        trail=_trail())
    session.commit()
    click.echo(f"演示数据已就绪（新增 {added} 个接受承诺单位，{seals} 枚演示印章，"
               f"{outcome.inserted} 条演示信用记录）")
    click.echo("演示账号（登录 /login）：")
    for username, (_role, display, owner) in DEMO_ACCOUNTS.items():
        click.echo(f"  {username:<10} 密码 {passwords[username]:<14} {display}"
                   + (f" · {owner}" if owner else ""))


@click.command("load-samples")
@click.option("--dir", "samples_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=SAMPLES_DIR, help="样例目录（默认 samples/）")
@with_appcontext
def load_samples_cmd(samples_dir: Path) -> None:
    """Load the sample documents (samples/issued.json and their files) so that their QR codes
    verify on this instance; run after load-demo; running it again adds nothing twice."""
    from app.db import get_session
    from app.samples import SAMPLES_PUBLIC_BASE_URL
    from app.services.samples import load_samples, trust_sample_ca

    ctx = _services()
    session = get_session()
    try:
        done = load_samples(session, ctx.archive, ctx.pii_cipher, samples_dir, trail=_trail())
        trusted = trust_sample_ca(session, samples_dir, ctx.instance_path, trail=_trail())
    except FileNotFoundError as exc:
        raise click.ClickException(f"样例目录中缺少文件：{Path(exc.filename).name}") from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    for line in done.lines_zh():
        click.echo(line)
    if trusted:
        click.echo("本实例核验页面信任样例的示例签章证书（仅供演示，仅用于样例文件的签名）")
    if ctx.base_url.rstrip("/") != SAMPLES_PUBLIC_BASE_URL:
        click.echo(f"注意：样例二维码指向 {SAMPLES_PUBLIC_BASE_URL}，本实例地址为 {ctx.base_url}；"
                   f"扫码会打开前者，可在本实例的 /verify 页面输入样例编号核验")


@click.command("check-fonts")
@with_appcontext
def check_fonts_cmd() -> None:
    """Check the fonts: bundled files present, checksums, coverage of CJK URO and Ext A, and
    the office's own faces (OFFICE_FONTS): usable, and how much each covers."""
    from app.documents.fonts import (
        check_fonts,
        font_stack,
        harfbuzz_subset_available,
        office_font_report,
        role_report,
    )

    problems = check_fonts()
    if not harfbuzz_subset_available():
        problems.append("HarfBuzz 子集化不可用（缺少 libharfbuzz-subset0）")
    if not problems:
        stack = font_stack()
        for line in role_report(stack):
            click.echo(f"字体角色 {line}")
        report = office_font_report(stack)
        for line in report:
            click.echo(f"办公字体：{line}")
        if not report:
            click.echo("未配置办公字体（OFFICE_FONTS）：全部使用内置字体")
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
    import tempfile

    from app.samples import (
        SAMPLE_ISSUED_ON,
        write_credit_samples,
        write_sample_ca,
        write_samples,
        write_stamping_samples,
    )

    for line in write_samples(out, SAMPLE_ISSUED_ON):
        click.echo(line)
    with tempfile.TemporaryDirectory() as pki:  # the fixed sample PKI, not the instance's
        for line in write_stamping_samples(out, SAMPLE_ISSUED_ON, Path(pki)):
            click.echo(line)
        for line in write_credit_samples(out, SAMPLE_ISSUED_ON, Path(pki)):
            click.echo(line)
        click.echo(write_sample_ca(out, Path(pki)))


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--name", "display_name", required=True, help="显示名称")
@click.option("--owner", default=None, help="所属单位或信用服务机构名称（经办人、机构用户必填）")
@click.password_option(help="至少10个字符")
@with_appcontext
def create_user_cmd(username: str, role: str, display_name: str, owner: str | None,
                    password: str) -> None:
    """Create a staff or agency account."""
    from app.db import get_session
    from app.domain.errors import FieldError
    from app.services.accounts import create_user

    session = get_session()
    try:
        user = create_user(session, username=username, password=password, role=role,
                           display_name=display_name, owner=owner, trail=_trail())
    except FieldError as exc:
        raise click.ClickException(exc.message) from None
    session.commit()
    click.echo(f"已创建账号 {user.username}（{role}）")


@click.command("create-api-key")
@click.argument("owner")
@click.option("--name", default="", help="密钥用途说明")
@with_appcontext
def create_api_key_cmd(owner: str, name: str) -> None:
    """Create an API key for a unit or agency; the key is printed once, alone on the last line."""
    from app.db import get_session
    from app.domain.errors import FieldError
    from app.services.accounts import create_api_key

    session = get_session()
    try:
        new = create_api_key(session, owner, _services().secret, name, trail=_trail())
    except FieldError as exc:
        raise click.ClickException(exc.message) from None
    session.commit()
    click.echo(f"已为“{owner}”创建接口密钥（前缀 {new.record.prefix}），请立即保存，之后无法再次查看：")
    click.echo(new.plaintext)


@click.command("revoke-api-key")
@click.argument("prefix")
@with_appcontext
def revoke_api_key_cmd(prefix: str) -> None:
    """Revoke an API key by its prefix."""
    from app.db import get_session
    from app.domain.errors import FieldError
    from app.services.accounts import revoke_api_key

    session = get_session()
    try:
        revoke_api_key(session, prefix, trail=_trail())
    except FieldError as exc:
        raise click.ClickException(exc.message) from None
    session.commit()
    click.echo(f"已吊销接口密钥 {prefix}")


@click.command("init-pki")
@with_appcontext
def init_pki_cmd() -> None:
    """Create the local demo CA, its CRL, the platform and demo TSA certificates under instance/pki
    (once), and say which PAdES level signatures will have."""
    from app.stamping.types import PADES_LEVEL_LABELS_ZH

    signer = _services().signer
    level = getattr(signer, "level", None)
    click.echo(f"签名证书就绪：{signer.signer_name}"
               + (f"；签名级别：{PADES_LEVEL_LABELS_ZH[level]}" if level else ""))


archive_cli = click.Group("archive", help="档案库：校验文件完整性，重新生成公示文本")
audit_cli = click.Group("audit", help="审计日志：校验哈希链")


def expected_blobs(session) -> set[str]:
    """Every blob the database refers to."""
    from sqlalchemy import select

    from app.models import AgencyReport, CreditCheck, Filing, IssuedDocument, Seal, StampJob

    hashes: set[str] = set()
    for column in (IssuedDocument.sha256, Seal.png_sha256, StampJob.original_sha256,
                   StampJob.result_sha256, Filing.sha256, Filing.public_copy_sha256,
                   CreditCheck.sha256, AgencyReport.sha256):
        hashes.update(h for h in session.scalars(select(column)) if h)
    return hashes


@archive_cli.command("verify")
@with_appcontext
def archive_verify() -> None:
    """Re-hash every blob; report missing, corrupt and orphaned files (exit 1 on damage)."""
    from app.archive.verify import verify_archive
    from app.db import get_session

    report = verify_archive(_services().archive, expected_blobs(get_session()))
    for line in report.lines_zh():
        click.echo(line)
    if not report.ok:
        raise SystemExit(1)


@archive_cli.command("rebuild-public-copies")
@click.option("--all", "force", is_flag=True, help="Remake every public copy, not only old ones.")
@with_appcontext
def archive_rebuild_public_copies(force: bool) -> None:
    """Remake the 公示 public copies made the old way (drawn over the upload, text layer and metadata
    kept) as page pictures with our watermark and metadata only; running it again changes nothing."""
    from app.db import get_session
    from app.services.filings import rebuild_public_copies

    ctx = _services()
    session = get_session()
    report = rebuild_public_copies(session, ctx.archive, signer=ctx.signer, force=force,
                                   trail=_trail())
    session.commit()
    for filing_id, reason in report.failed:
        click.echo(f"失败：上传记录 {filing_id}：{reason}", err=True)
    click.echo(f"公示文本：重新生成 {len(report.rebuilt)} 份，已是新格式 {len(report.current)} 份，"
               f"撤下自然人公示文本 {len(report.withdrawn)} 份，失败 {len(report.failed)} 份")
    if report.failed:
        raise SystemExit(1)


@audit_cli.command("verify")
@click.option("--checkpoint", is_flag=True,
              help="校验通过后为最新一条记录写入检查点（新部署或升级后建立检查点）")
@with_appcontext
def audit_verify(checkpoint: bool) -> None:
    """Check the audit log's hash chain and that it still reaches the newest checkpoint kept
    outside the database; exit 1 when an entry was edited or deleted, or checkpoints were."""
    from app.db import get_session
    from app.services.audit import head, now_iso, verify_against_checkpoint, verify_chain

    session = get_session()
    store = _services().checkpoints
    report = store.verify()
    problems = verify_chain(session, _services().audit_key)
    problems += verify_against_checkpoint(session, report, establishing=checkpoint)
    for problem in problems:
        click.echo(f"问题：{problem}", err=True)
    count, last = head(session)
    if problems:
        raise SystemExit(1)
    if checkpoint and count:
        if report.head is None:
            click.echo("此前没有检查点：已为现有记录建立第一个检查点，之前的删除无法再核对")
        store.append(count, last, now_iso(), may_start_chain=True)
        report = store.verify()
    click.echo(f"审计日志完整：共{count}条，最新哈希 {last}")
    if report.head is not None:
        click.echo(f"检查点：{report.count}个，最新的第{report.head.seq}个记录到第{report.head.last_id}条")


credit_cli = click.Group("credit", help="信用记录：导入")


@credit_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True,
              help="只校验并报告（将新增、更新多少条，哪些行有错误），不写入任何数据")
@click.option("--atomic", is_flag=True,
              help="全部通过校验才导入：任何一行有错误则一条也不导入")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=None,
              help="每批提交的记录数（默认1000）；批与批之间其他操作可以写入")
@with_appcontext
def credit_import(path: Path, dry_run: bool, atomic: bool, batch_size: int | None) -> None:
    """Import credit records (CSV or JSON from the provincial platform), in batches.

    Idempotent and resumable: the same file again continues an interrupted import or writes
    nothing. Exit status 1 when rows were rejected (the valid ones are stored unless
    ``--atomic``), 2 when the file itself cannot be read."""
    from app.db import get_session
    from app.domain.credit_import import ImportFileError, parse_credit_records
    from app.services.credit import IMPORT_BATCH_SIZE, import_records, preview_import

    ctx = _services()
    try:
        report = parse_credit_records(path.read_bytes(), filename=path.name, today=ctx.today())
    except ImportFileError as exc:
        click.echo(f"错误：{exc.message}", err=True)
        click.get_current_context().exit(2)
    for line in report.lines_zh():
        click.echo(line)
    session = get_session()
    size = batch_size or IMPORT_BATCH_SIZE
    if dry_run or (atomic and report.rejected_rows):
        outcome = preview_import(session, ctx.pii_cipher, report, batch_size=size)
        session.rollback()
        if atomic and report.rejected_rows:
            click.echo(f"全部通过校验才导入（--atomic）：{report.rejected_rows}"
                       f"{'行' if report.source_format == 'csv' else '条'}有错误，未导入任何记录")
        else:
            click.echo(f"试运行（--dry-run）：将新增 {outcome.inserted}，更新 {outcome.updated}，"
                       f"未变 {outcome.unchanged}，拒绝 {report.rejected_rows} 行；未写入任何数据")
        click.get_current_context().exit(1 if report.rejected_rows else 0)

    def progress(done: int, total: int) -> None:
        if total > size:
            click.echo(f"已导入 {done}/{total}", err=True)

    outcome = import_records(session, ctx.pii_cipher, report, source=path.name, trail=_trail(),
                             batch_size=size, on_batch=progress)
    for line in outcome.lines_zh():
        click.echo(line)
    if report.rejected_rows:
        click.get_current_context().exit(1)


units_cli = click.Group("units", help="接受承诺单位名录：登记单位，设置其他承诺（第六条）及适用范围")


@units_cli.command("add")
@click.argument("name")
@with_appcontext
def units_add(name: str) -> None:
    """Register a receiving unit (letters can only be addressed to registered units)."""
    from app.db import get_session
    from app.domain.errors import FieldError
    from app.services.units import add_unit

    session = get_session()
    try:
        unit = add_unit(session, name, trail=_trail())
    except FieldError as exc:
        raise click.ClickException(exc.message) from None
    session.commit()
    click.echo(f"已登记接受承诺单位“{unit.name}”")


@units_cli.command("set-clause")
@click.argument("name")
@click.option("--clause", default="", help="其他承诺（第六条）文字；留空则取消")
@click.option("--scenario", "scenarios", multiple=True,
              help="适用情形（可多次）：project_approval、procurement_bidding、administrative_service；不填为全部")
@click.option("--kind", "kinds", multiple=True,
              help="适用主体类型（可多次）：enterprise、institution、social_organization、"
                   "individual_business、natural_person；不填为全部")
@with_appcontext
def units_set_clause(name: str, clause: str, scenarios: tuple[str, ...], kinds: tuple[str, ...]) -> None:
    """Set a unit's clause 6 and the scenarios and subject kinds it applies to."""
    from app.db import get_session
    from app.domain.errors import FieldError
    from app.services.units import set_clause

    session = get_session()
    try:
        unit = set_clause(session, name, clause, scenarios=scenarios, kinds=kinds, trail=_trail())
    except FieldError as exc:
        raise click.ClickException(exc.message) from None
    session.commit()
    click.echo(f"已设置“{unit.name}”的其他承诺" if unit.matter_clause else f"已取消“{unit.name}”的其他承诺")


@units_cli.command("list")
@with_appcontext
def units_list() -> None:
    """List the registered units with their clause 6 and its scope."""
    from app.db import get_session
    from app.domain.commitments import Scenario
    from app.domain.subjects import SubjectKind
    from app.domain.unit_clauses import scope_labels
    from app.services.units import list_units

    for unit in list_units(get_session()):
        click.echo(unit.name)
        if unit.matter_clause:
            click.echo(f"  其他承诺：{unit.matter_clause}")
            click.echo(f"  适用情形：{scope_labels(unit.clause_scenarios, Scenario)}；"
                       f"适用主体：{scope_labels(unit.clause_subject_kinds, SubjectKind)}")


backup_cli = click.Group("backup", help="备份与恢复：数据库、档案库与密钥")


def _layout():
    from app.backup import Layout

    return Layout.of(current_app.config, Path(current_app.instance_path))


@backup_cli.command("create")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_create(out: Path) -> None:
    """Write database, local archive, keys, demo CA and audit checkpoints to OUT (.tar.gz).

    OUT holds the PII key beside the encrypted ID numbers: keep it encrypted and apart."""
    from app.backup import BackupError, create
    from app.db import current_revision

    try:
        manifest = create(_layout(), out, revision=current_revision(current_app.config["DATABASE_URL"]),
                          created_at=_services().now().isoformat(timespec="seconds"))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    archived = sum(1 for name in manifest["members"] if name.startswith("archive/"))
    click.echo(f"备份已写入 {out}：数据库（{manifest['database']}）、{archived}个档案文件、"
               f"{len(manifest['members']) - archived - 1}个密钥与检查点文件")
    if manifest["s3_bucket"]:
        click.echo(f"档案库在 S3（{manifest['s3_bucket']}）：未包含在内，请启用存储桶版本控制或复制")
    click.echo("注意：备份含个人信息加密密钥，请加密保存，并与数据库备份分开存放")


@backup_cli.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="目标已有数据时覆盖")
@with_appcontext
def backup_restore(source: Path, force: bool) -> None:
    """Put a backup back into this instance, then check archive and audit log."""
    from app.archive.verify import verify_archive
    from app.backup import BackupError, restore
    from app.db import make_engine
    from app.services.audit import audit_key, verify_chain

    try:
        manifest = restore(_layout(), source, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    # The restored keys, not the ones this process started with, decide the checks.
    secret = (Path(current_app.instance_path) / "secret_key")
    key = audit_key(secret.read_text().strip() if "SECRET_KEY" not in _configured()
                    else current_app.config["SECRET_KEY"])
    engine = make_engine(current_app.config["DATABASE_URL"])
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        problems = verify_chain(session, key)
        report = verify_archive(_services().archive, expected_blobs(session))
    engine.dispose()
    click.echo(f"已恢复 {manifest['created_at']} 的备份（数据库版本 {manifest['revision']}）")
    for line in report.lines_zh():
        click.echo(line)
    for problem in problems:
        click.echo(f"审计日志问题：{problem}", err=True)
    if problems or not report.ok:
        raise SystemExit(1)
    click.echo("审计日志完整。请重启服务，使恢复的密钥生效")


def _configured() -> set[str]:
    import os

    return {k.removeprefix("LYXY_") for k in os.environ if k.startswith("LYXY_")}


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_cli)
    app.cli.add_command(units_cli)
    app.cli.add_command(credit_cli)
    app.cli.add_command(archive_cli)
    app.cli.add_command(audit_cli)
    for cmd in (init_db, load_demo_cmd, load_samples_cmd, check_fonts_cmd, make_samples, create_user_cmd,
                create_api_key_cmd, revoke_api_key_cmd, init_pki_cmd):
        app.cli.add_command(cmd)
