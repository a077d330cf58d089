"""Imports in batches (issue 14 §4): one transaction per batch, resumable, once per file, and
the service stays writable while a large file is imported."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from app.db import get_session
from app.domain.credit_import import parse_credit_records
from app.extensions import services
from app.models import AuditEntry, CreditImport, CreditRecordRow
from app.services import credit as svc
from bench.credit_rows import synthetic_csv

TODAY = date(2026, 11, 29)


def report_of(n: int, **kwargs):
    return parse_credit_records(synthetic_csv(n, **kwargs), filename="export.csv", today=TODAY)


def count(model) -> int:
    return get_session().scalar(select(func.count()).select_from(model))


class Stop(Exception):
    """Plays a crash (or Ctrl-C) between two batches."""


def test_an_interrupted_import_resumes_after_its_last_batch_and_never_runs_twice(app, trail):
    report = report_of(500)
    cipher = services(app).pii_cipher

    def crash_after_two(done: int, total: int) -> None:
        if done == 200:
            raise Stop

    with app.app_context():
        with pytest.raises(Stop):
            svc.import_records(get_session(), cipher, report, source="export.csv", trail=trail,
                               batch_size=100, on_batch=crash_after_two)
    with app.app_context():  # a new process: what was committed before the crash
        assert count(CreditRecordRow) == 200
        run = get_session().scalar(select(CreditImport))
        assert (run.position, run.status, run.inserted) == (200, "running", 200)
        seen: list[int] = []
        outcome = svc.import_records(get_session(), cipher, report, source="export.csv",
                                     trail=trail, batch_size=100,
                                     on_batch=lambda done, total: seen.append(done))
        assert seen == [300, 400, 500]
        assert (outcome.resumed_from, outcome.inserted, outcome.batches) == (200, 300, 3)
        assert "从第201条有效记录继续导入" in outcome.lines_zh()[0]
    with app.app_context():
        assert count(CreditRecordRow) == 500
        run = get_session().scalar(select(CreditImport))
        assert (run.position, run.status, run.inserted) == (500, "done", 500)
        stamps = set(get_session().scalars(select(CreditRecordRow.updated_at)))
        again = svc.import_records(get_session(), cipher, report_of(500), source="copy.csv",
                                   trail=trail, batch_size=100)
        assert again.already_done and (again.inserted, again.updated, again.batches) == (0, 0, 0)
        assert set(get_session().scalars(select(CreditRecordRow.updated_at))) == stamps
        assert count(CreditImport) == 1
        assert get_session().scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "import_credit_records")) == 2  # the two runs that finished


def test_checks_and_breaches_succeed_while_an_import_is_in_progress(app, trail, clerk):
    """The import runs in its own thread and connection; between its batches the clerk records
    a breach and runs a check (before: one transaction for the whole file, every other write
    waited for it and failed with "database is locked" after 30 s)."""
    report = report_of(3000)
    paused, resume = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def hook(done: int, total: int) -> None:
        if done == 1000:
            paused.set()
            assert resume.wait(60), "the test never let the import go on"

    def run() -> None:
        try:
            with app.app_context():
                svc.import_records(get_session(), services(app).pii_cipher, report,
                                   source="export.csv", trail=trail, batch_size=1000,
                                   on_batch=hook)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failure.append(exc)
            paused.set()

    worker = threading.Thread(target=run)
    worker.start()
    try:
        assert paused.wait(120) and not failure, failure
        with app.app_context():  # the first batch is visible to other connections already
            assert count(CreditRecordRow) == 1000
            assert get_session().scalar(select(CreditImport.position)) == 1000
        code = report.records[0].subject_code
        breach = clerk.post("/staff/credit/breach", data={
            "subject_code": code, "subject_name": report.records[0].subject_name,
            "decision_number": "凌住建违诺〔2026〕9号", "decided_on": "2026-11-20",
            "severity": "一般", "summary": "未按承诺期限整改"})
        assert breach.status_code == 303, breach.get_data(as_text=True)[:300]
        check = clerk.post("/staff/credit/check", data={"subject_code": code,
                                                        "purpose": "bidding"})
        assert check.status_code == 200
        assert "惩戒" in check.get_data(as_text=True)
    finally:
        resume.set()
        worker.join(120)
    assert not failure, failure
    with app.app_context():
        assert count(CreditRecordRow) == 3001
        assert get_session().scalar(select(CreditImport.status)) == "done"


@pytest.fixture
def export(tmp_path):
    def write(n: int, **kwargs) -> str:
        path = tmp_path / "export.csv"
        path.write_bytes(synthetic_csv(n, **kwargs))
        return str(path)
    return write


def stored(app) -> tuple[int, int, int]:
    with app.app_context():
        return (count(CreditRecordRow), count(CreditImport),
                get_session().scalar(select(func.count()).select_from(AuditEntry).where(
                    AuditEntry.action == "import_credit_records")))


def test_dry_run_validates_and_reports_but_stores_nothing(app, runner, export):
    result = runner.invoke(args=["credit", "import", "--dry-run", export(30)])
    assert result.exit_code == 0, result.output
    assert "试运行（--dry-run）：将新增 30，更新 0，未变 0，拒绝 0 行；未写入任何数据" in result.output
    assert stored(app) == (0, 0, 0)
    bad = runner.invoke(args=["credit", "import", "--dry-run", export(30, bad_every=10)])
    assert bad.exit_code == 1
    assert "第11行 统一社会信用代码：校验码错误" in bad.output  # line 11 = the 10th data row
    assert "将新增 27" in bad.output
    assert stored(app) == (0, 0, 0)


def test_atomic_import_stores_nothing_when_a_row_is_rejected(app, runner, export):
    result = runner.invoke(args=["credit", "import", "--atomic", export(30, bad_every=10)])
    assert result.exit_code == 1
    assert "第21行 统一社会信用代码：校验码错误" in result.output
    assert "全部通过校验才导入（--atomic）：3行有错误，未导入任何记录" in result.output
    assert stored(app) == (0, 0, 0)
    ok = runner.invoke(args=["credit", "import", "--atomic", export(30)])
    assert ok.exit_code == 0, ok.output
    assert stored(app) == (30, 1, 1)


def test_rejected_rows_make_the_import_fail_for_scripts(app, runner, export):
    """Without --atomic the valid rows are stored, but the exit status says some were not."""
    result = runner.invoke(args=["credit", "import", "--batch-size", "7", export(30, bad_every=10)])
    assert result.exit_code == 1
    assert "新增 27，更新 0，未变 0，拒绝 3 行" in result.output
    assert stored(app) == (27, 1, 1)


def test_an_unreadable_file_exits_2_with_its_reason(app, runner, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"%PDF-1.7 not an export")
    result = runner.invoke(args=["credit", "import", str(path)])
    assert result.exit_code == 2
    assert "文件不是CSV或JSON" in result.output
    assert stored(app) == (0, 0, 0)



def test_the_import_page_offers_a_dry_run_and_all_or_nothing(app, make_user):
    import io

    from app.domain.roles import Role
    from tests.conftest import login_as

    admin = login_as(app, make_user(Role.OFFICE_ADMIN))

    def post(mode: str, data: bytes):
        return admin.post("/staff/credit/import", content_type="multipart/form-data",
                          data={"file": (io.BytesIO(data), "export.csv"), "mode": mode})

    dry = post("dry_run", synthetic_csv(12, bad_every=5)).get_data(as_text=True)
    assert "校验结果（未导入）" in dry and "将新增 10" in dry and "拒绝 2 行" in dry
    assert "第6行 统一社会信用代码：校验码错误" in dry
    atomic = post("atomic", synthetic_csv(12, bad_every=5)).get_data(as_text=True)
    assert "有2行未通过校验" in atomic and "未导入任何记录" in atomic
    assert stored(app) == (0, 0, 0)
    done = post("import", synthetic_csv(12, bad_every=5)).get_data(as_text=True)
    assert "导入结果" in done and "新增 10" in done
    assert stored(app) == (10, 1, 1)


def test_the_import_page_shows_how_far_an_interrupted_import_got(app, trail, make_user):
    from app.domain.roles import Role
    from tests.conftest import login_as

    def crash(done: int, total: int) -> None:
        raise Stop

    with app.app_context(), pytest.raises(Stop):
        svc.import_records(get_session(), services(app).pii_cipher, report_of(250),
                           source="省平台导出-11月.csv", trail=trail, batch_size=100, on_batch=crash,
                           now=datetime(2026, 11, 29, 2, 30, tzinfo=UTC))
    page = login_as(app, make_user(Role.OFFICE_ADMIN)).get("/staff/credit/import")
    text = page.get_data(as_text=True)
    assert "省平台导出-11月.csv" in text and "2026年11月29日 10:30" in text
    assert "<td>100/250</td>" in text and "进行中或已中断" in text
