"""Credit record import (信用记录导入): the sample files, each row rule, encodings, file-level errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from app.domain.credit_import import (
    COLUMN_LABELS,
    IMPORT_COLUMNS,
    MAX_ROWS,
    ImportFileError,
    ImportReport,
    RowError,
    natural_key,
    parse_credit_records,
)
from app.domain.credit_records import CreditRecord, RecordType
from app.domain.errors import DomainError
from app.domain.identifiers import looks_like_resident_id
from app.domain.ratings import rating_valid_through

TODAY = date(2026, 11, 29)
SAMPLES = Path(__file__).resolve().parents[2] / "samples"
GOOD_CSV = SAMPLES / "credit-records.csv"
GOOD_JSON = SAMPLES / "credit-records.json"
BAD_CSV = SAMPLES / "credit-records-bad.csv"
HEADER = ",".join(column.key for column in IMPORT_COLUMNS)


def parse(data: bytes, filename: str = "", **kwargs: object) -> ImportReport:
    return parse_credit_records(data, filename=filename, today=TODAY, **kwargs)  # type: ignore[arg-type]


def parse_sample(path: Path) -> ImportReport:
    return parse(path.read_bytes(), filename=path.name)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def by_number(report: ImportReport) -> dict[str, CreditRecord]:
    return {record.decision_number: record for record in report.records}


LICENSE_ROW = (
    "license,91211382MA0612DD20,凌源市示例食品有限公司,凌源市行政审批局,凌审批食经许〔2026〕102号,2026-04-08"
)
JSON_ITEM: dict[str, object] = {
    "record_type": "license",
    "subject_code": "91211382MA0612DD20",
    "subject_name": "凌源市示例食品有限公司",
    "source_department": "凌源市行政审批局",
    "decision_number": "X-1",
    "decided_on": "2026-04-08",
}
RATING_ROW = "rating,91211382MA0Y8K7Q3B,凌源市示例建筑工程有限公司,辽宁示例信用评价有限公司,R-1,2026-03-07"


# --- the valid samples: each record type ---------------------------------------------


def test_csv_sample_imports_every_row() -> None:
    report = parse_sample(GOOD_CSV)
    assert report.errors == ()
    assert report.total_rows == len(report.records) == 15
    assert report.source_format == "csv"
    assert report.lines_zh() == ["共15行数据，全部通过校验，可导入15条记录"]


# (decision number, type, code, name, decided_on, valid_until, grade, ground, severity, repaired_on)
CSV_ROWS = [
    ("凌发改信〔2026〕12号", RecordType.RED_LIST, "91211382MA0Y8K7Q3B", "凌源市示例建筑工程有限公司",
     date(2026, 3, 7), date(2027, 3, 6), None, None, None, None),
    ("（2026）辽1382执恢123号", RecordType.BLACK_LIST, "211382199003071237", "张三丰",
     date(2026, 5, 18), None, None, 1, "严重", None),
    ("凌人社欠薪〔2026〕3号", RecordType.BLACK_LIST, "91211382MA0AY4CL0L", "凌源市示例劳务有限公司",
     date(2026, 6, 20), None, None, 6, "严重", None),
    ("凌财采〔2026〕7号", RecordType.BLACK_LIST, "91211382MA012TH30E", "凌源市示例商贸有限公司",
     date(2026, 7, 14), date(2029, 7, 13), None, 14, "严重", None),  # severity: the type's default
    # breach: ground 14 set automatically (policy 五(四)3)
    ("凌住建违诺〔2026〕2号", RecordType.BREACH, "91211382MA0BJ1XG4D", "凌源市示例物流有限公司",
     date(2026, 8, 15), None, None, 14, "严重", None),
    ("凌市监轻失〔2026〕15号", RecordType.MINOR, "91211382MA0612DD20", "凌源市示例食品有限公司",
     date(2026, 7, 2), None, None, None, "轻微", None),
    ("凌市监处罚〔2026〕41号", RecordType.PENALTY, "92211382MA071HU49P", "凌源市示例小吃店",
     date(2026, 5, 11), None, None, None, "轻微", None),
    ("凌应急罚〔2026〕8号", RecordType.PENALTY, "91211382MA0272HD7A", "凌源市示例矿业有限公司",
     date(2026, 6, 3), None, None, None, "一般", date(2026, 9, 15)),
    ("朝环凌罚〔2026〕19号", RecordType.PENALTY, "91211382MA01TJ3Y5A", "凌源市示例化工有限公司",
     date(2026, 9, 22), None, None, None, "严重", None),
    # a 2024 decision (before the 2026 办法): imported like any other, the regime is chosen later
    ("凌税罚〔2024〕27号", RecordType.PENALTY, "91211382MA07LLJY4U", "凌源市示例运输有限公司",
     date(2024, 10, 16), None, None, None, "一般", None),
    ("凌审批食经许〔2026〕102号", RecordType.LICENSE, "91211382MA0612DD20", "凌源市示例食品有限公司",
     date(2026, 4, 8), date(2031, 4, 7), None, None, None, None),
    ("凌审批水许〔2026〕36号", RecordType.LICENSE, "93211382MA053JJL2X", "凌源市示例蔬菜种植专业合作社",
     date(2026, 3, 20), None, None, None, None, None),
    # ratings without 有效期至 get one year through the day before the same date (policy 三(五))
    ("LNXP-2026-0158", RecordType.RATING, "91211382MA0Y8K7Q3B", "凌源市示例建筑工程有限公司",
     date(2026, 10, 12), date(2027, 10, 11), "AAA", None, None, None),
    ("LNXP-2026-0031", RecordType.RATING, "91211382MA01JJC18T", "凌源市示例物业服务有限公司",
     date(2026, 2, 20), date(2027, 2, 19), "BBB", None, None, None),
    ("LNXP-2025-0212", RecordType.RATING, "91211382MA0AY4CL0L", "凌源市示例劳务有限公司",
     date(2025, 6, 10), date(2026, 6, 9), "CCC", None, None, None),  # expired: still imported
]  # fmt: skip


@pytest.mark.parametrize(
    (
        "number",
        "kind",
        "code",
        "name",
        "decided_on",
        "valid_until",
        "grade",
        "ground",
        "severity",
        "repaired",
    ),
    CSV_ROWS,
    ids=[row[0] for row in CSV_ROWS],
)
def test_csv_sample_row(
    number: str,
    kind: RecordType,
    code: str,
    name: str,
    decided_on: date,
    valid_until: date | None,
    grade: str | None,
    ground: int | None,
    severity: str | None,
    repaired: date | None,
) -> None:
    record = by_number(parse_sample(GOOD_CSV))[number]
    assert (record.record_type, record.subject_code, record.subject_name) == (kind, code, name)
    assert (record.decided_on, record.valid_until, record.repaired_on) == (decided_on, valid_until, repaired)
    assert (record.grade, record.ground, record.severity) == (grade, ground, severity)
    assert record.source_department
    assert record.summary
    assert record.extra == {}


def test_csv_sample_covers_every_record_type_and_severity() -> None:
    records = parse_sample(GOOD_CSV).records
    assert {r.record_type for r in records} == set(RecordType)
    assert {r.ground for r in records if r.record_type is RecordType.BLACK_LIST} == {1, 6, 14}
    assert {r.severity for r in records if r.record_type is RecordType.PENALTY} == {"轻微", "一般", "严重"}
    assert {r.grade for r in records if r.record_type is RecordType.RATING} == {"AAA", "BBB", "CCC"}
    assert any(r.valid_until and r.valid_until < TODAY for r in records if r.grade)  # one expired rating


def test_json_sample_imports_every_record() -> None:
    report = parse_sample(GOOD_JSON)
    assert report.errors == ()
    assert report.total_rows == len(report.records) == 10
    assert {r.record_type for r in report.records} == set(RecordType)


JSON_ROWS = [
    # Chinese type names and the three date formats
    ("凌发改信〔2026〕13号", RecordType.RED_LIST, date(2026, 3, 7), date(2027, 3, 6), None, None),
    ("（2026）辽1382执456号", RecordType.BLACK_LIST, date(2026, 6, 9), None, None, 1),
    ("凌人社违诺〔2026〕1号", RecordType.BREACH, date(2026, 10, 9), None, None, 14),
    ("凌自然资罚〔2026〕4号", RecordType.PENALTY, date(2026, 4, 15), None, None, None),
    ("LNXP-2026-0177", RecordType.RATING, date(2026, 5, 28), date(2027, 5, 27), "AA", None),  # "aa"
    ("LNXP-2025-0088", RecordType.RATING, date(2025, 3, 1), date(2026, 2, 28), "A", None),
]


@pytest.mark.parametrize(
    ("number", "kind", "decided_on", "valid_until", "grade", "ground"),
    JSON_ROWS,
    ids=[r[0] for r in JSON_ROWS],
)
def test_json_sample_row(
    number: str,
    kind: RecordType,
    decided_on: date,
    valid_until: date | None,
    grade: str | None,
    ground: int | None,
) -> None:
    record = by_number(parse_sample(GOOD_JSON))[number]
    assert (record.record_type, record.decided_on, record.valid_until) == (kind, decided_on, valid_until)
    assert (record.grade, record.ground) == (grade, ground)


def test_json_unknown_keys_are_kept_in_extra_and_repair_date_parsed() -> None:
    records = by_number(parse_sample(GOOD_JSON))
    assert records["（2026）辽1382执456号"].extra == {"platform_id": "LN-211382-000451"}
    assert records["凌自然资罚〔2026〕4号"].repaired_on == date(2026, 8, 20)


# --- one bad row per rule -------------------------------------------------------------

BAD_ROWS = [
    (3, "record_type", "记录类型：无法识别“黄名单”"),
    (4, "subject_code", "统一社会信用代码：校验码错误：第18位应为“B”，实际为“C”"),
    (5, "subject_code", "统一社会信用代码：第11位为“O”"),
    (6, "subject_code", "身份证号码：校验码错误：第18位应为“7”，实际为“8”"),
    (7, "subject_name", "主体名称：含不允许的字符“3”"),
    (8, "subject_name", "主体名称：不能为空"),
    (9, "decision_number", "决定书文号：不能为空"),
    (10, "decided_on", "决定日期：格式应为YYYY-MM-DD、YYYY/M/D或YYYY年M月D日，当前为“2026.05.06”"),
    (11, "decided_on", "决定日期：“2026-02-30”不是有效日期"),
    (12, "decided_on", "决定日期：“2027-01-05”晚于今天（2026年11月29日）"),
    (13, "valid_until", "有效期至：“2026-04-30”早于决定日期“2026-05-06”"),
    (14, "repaired_on", "信用修复日期：“2026-05-01”早于决定日期“2026-06-03”"),
    (15, "repaired_on", "信用修复日期：“2026-12-15”晚于今天"),
    (16, "repaired_on", "信用修复日期：只有失信类记录可以填写，行政许可记录不能填写"),
    # line 17 is blank: skipped, not counted
    (18, "grade", "信用等级：不接受“+”“-”修饰符"),
    (19, "grade", "信用等级：不接受D级"),
    (20, "grade", "信用等级：信用评价记录必须填写"),
    (21, "grade", "信用等级：只有信用评价记录可以填写"),
    (22, "ground", "失信情形编号：应为1–14之间的整数（政策七(一)），当前为“15”"),
    (23, "ground", "失信情形编号：失信黑名单记录必须填写"),
    (24, "ground", "失信情形编号：行政处罚记录只能填写13（七(一)13：受到较重行政处罚"),
    (25, "ground", "失信情形编号：违诺记录的失信情形固定为14"),
    (26, "severity", "失信程度：行政处罚记录必须填写（轻微、一般、严重）"),
    (27, "severity", "失信程度：应为轻微、一般、严重之一，当前为“较重”"),
    (28, "severity", "失信程度：行政许可记录不能填写"),
    (29, "severity", "失信程度：轻微失信记录不能为“严重”"),
    (30, "decision_number", "决定书文号：与第2行重复"),
    (31, "row", "列数：本行有14列，多于表头的12列"),
    (32, "decided_on", "决定日期：不能为空"),
]


@pytest.mark.parametrize(("line", "field", "message"), BAD_ROWS, ids=[f"line{r[0]}-{r[1]}" for r in BAD_ROWS])
def test_bad_sample_row(line: int, field: str, message: str) -> None:
    errors = [e for e in parse_sample(BAD_CSV).errors if e.line == line]
    assert len(errors) == 1, errors
    assert errors[0].field == field
    assert message in errors[0].message
    assert errors[0].message.startswith(message.split("：")[0] + "：")


def test_bad_sample_reports_nothing_else_and_keeps_the_valid_row() -> None:
    report = parse_sample(BAD_CSV)
    assert [e.line for e in report.errors] == [line for line, _, _ in BAD_ROWS]
    assert [r.decision_number for r in report.records] == ["凌住建罚〔2026〕5号"]  # line 2
    assert report.total_rows == 1 + len(BAD_ROWS)
    assert report.rejected_rows == len(BAD_ROWS)


def test_lines_zh_names_line_and_column() -> None:
    lines = parse_sample(BAD_CSV).lines_zh()
    assert lines[1] == "第4行 统一社会信用代码：校验码错误：第18位应为“B”，实际为“C”"
    assert "第22行 失信情形编号：应为1–14之间的整数（政策七(一)），当前为“15”" in lines
    assert lines[-1] == "共30行数据，可导入1条记录，29行有错误（共29处），请修改后重新导入这些行"


def test_every_problem_of_a_row_is_reported() -> None:
    row = "rating,91211382MA0Y8K7Q3C,凌源市示例建筑工程有限公司,,LNXP-1,2026-02-30,,AA+,3,一般,,"
    report = parse(csv_bytes(row))
    assert [e.field for e in report.errors] == [
        "subject_code", "source_department", "decided_on", "grade", "ground", "severity",
    ]  # fmt: skip
    assert {e.line for e in report.errors} == {2}
    assert report.records == ()


def test_errors_in_json_are_counted_by_item() -> None:
    items = [JSON_ITEM, JSON_ITEM | {"decided_on": "2026-04-09", "grade": True}]
    report = parse(json.dumps(items, ensure_ascii=False).encode(), "export.json")
    assert [(e.line, e.field) for e in report.errors] == [(2, "decision_number"), (2, "grade")]
    assert "与第1条重复" in report.errors[0].message
    assert report.errors[1].message == "信用等级：应为文本或数字，当前为布尔值"
    assert report.lines_zh()[0].startswith("第2条 决定书文号：")
    assert report.lines_zh()[-1].startswith("共2条记录，可导入1条记录，1条有错误")


# --- single rules not in the bad sample -----------------------------------------------


@pytest.mark.parametrize(
    ("code", "is_person"),
    [
        ("211382199003071237", True),
        ("211382199003071238", True),  # wrong check digit: still an ID by shape, reported as such
        ("21138219920525172x", True),
        ("913502000728319549", False),  # 18 digits but "91" is no province
        ("123502001549897397", False),  # "12" is a province, but 0015-49-89 is no birth date
        ("211382199002301234", False),  # 1990-02-30: not a birth date, so read as a USCC
        ("211382203001011234", False),  # born in 2030: after today
        ("91211382MA0Y8K7Q3B", False),
        ("211382900307123", True),  # legacy 15-digit number: refused as an ID, not as a USCC
    ],
)
def test_code_kind_is_decided_by_shape(code: str, is_person: bool) -> None:
    assert looks_like_resident_id(code, TODAY) is is_person


@pytest.mark.parametrize(
    ("code", "name", "field", "message"),
    [
        ("211382199002301234", "张三丰", "subject_code", "统一社会信用代码："),
        ("211382900307123", "张三丰", "subject_code", "身份证号码：15位旧号码，请填写18位居民身份证号码"),
        ("211382199003071237", "凌源市示例(建筑)公司", "subject_name", "主体名称：含不允许的字符“(”"),
        ("91211382MA0Y8K7Q3B", "凌源市示例建筑(工程有限公司", "subject_name", "主体名称：括号不配对"),
    ],
)
def test_code_kind_decides_the_name_rules(code: str, name: str, field: str, message: str) -> None:
    report = parse(csv_bytes(f"red_list,{code},{name},凌源市发展和改革局,凌发改信1号,2026-03-07"))
    assert [(e.field, e.message[: len(message)]) for e in report.errors] == [(field, message)]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-03-07", date(2026, 3, 7)),
        ("2026-3-7", date(2026, 3, 7)),
        ("2026/3/7", date(2026, 3, 7)),
        ("2026/03/07", date(2026, 3, 7)),
        ("2026年3月7日", date(2026, 3, 7)),
        (" ２０２６－０３－０７ ", date(2026, 3, 7)),  # full-width from an IME
        ("2024-02-29", date(2024, 2, 29)),
    ],
)
def test_date_formats(typed: str, expected: date) -> None:
    report = parse(csv_bytes(LICENSE_ROW.replace("2026-04-08", typed)))
    assert report.errors == ()
    assert report.records[0].decided_on == expected


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("red_list", RecordType.RED_LIST),
        ("RED_LIST", RecordType.RED_LIST),
        ("守信红名单", RecordType.RED_LIST),
        ("失信黑名单", RecordType.BLACK_LIST),
        ("轻微失信", RecordType.MINOR),
        ("行政许可", RecordType.LICENSE),
        ("行政处罚", RecordType.PENALTY),
        ("信用评价", RecordType.RATING),
        ("违诺", RecordType.BREACH),
    ],
)
def test_record_type_names(typed: str, kind: RecordType) -> None:
    extra = {
        RecordType.BLACK_LIST: ",,,1,严重",
        RecordType.MINOR: ",,,,轻微",
        RecordType.PENALTY: ",,,,一般",
        RecordType.RATING: ",,A",
    }.get(kind, "")
    row = f"{typed},91211382MA0Y8K7Q3B,凌源市示例建筑工程有限公司,某部门,文号1,2026-03-07{extra}"
    report = parse(csv_bytes(row))
    assert report.errors == ()
    assert report.records[0].record_type is kind


@pytest.mark.parametrize(("typed", "grade"), [("aaa", "AAA"), (" Bb ", "BB"), ("ＣＣＣ", "CCC"), ("c", "C")])
def test_grade_is_case_insensitive(typed: str, grade: str) -> None:
    row = f"{RATING_ROW},,{typed}"
    assert parse(csv_bytes(row)).records[0].grade == grade


@pytest.mark.parametrize("typed", ["A+", "AA-", "BBB−", "D", "DD", "E", "AAAA"])
def test_grades_outside_the_nine_are_refused(typed: str) -> None:
    row = f"{RATING_ROW},,{typed}"
    (error,) = parse(csv_bytes(row)).errors
    assert error.field == "grade"


@pytest.mark.parametrize(
    ("ground", "ok"), [("1", True), ("14", True), ("０６", True), ("0", False), ("6.5", False)]
)
def test_black_list_grounds(ground: str, ok: bool) -> None:
    row = f"black_list,91211382MA0AY4CL0L,凌源市示例劳务有限公司,凌源市人社局,J-1,2026-06-20,,,{ground}"
    report = parse(csv_bytes(row))
    assert (report.errors == ()) is ok


def test_breach_accepts_explicit_ground_14() -> None:
    row = "breach,91211382MA0BJ1XG4D,凌源市示例物流有限公司,凌源市住建局,W-1,2026-08-15,,,14,严重"
    assert parse(csv_bytes(row)).records[0].ground == 14


@pytest.mark.parametrize(("decided_on", "valid_until"), [
    ("2026-03-07", date(2027, 3, 6)),
    ("2027-03-01", date(2028, 2, 29)),  # the year ends on the leap day
    ("2024-02-29", date(2025, 2, 28)),
])
def test_rating_without_valid_until_gets_rating_valid_through(decided_on: str, valid_until: date) -> None:
    row = f"{RATING_ROW.replace('2026-03-07', decided_on)},,A"
    record = parse_credit_records(csv_bytes(row), today=date(2027, 12, 1)).records[0]
    assert record.valid_until == valid_until
    assert record.valid_until == rating_valid_through(record.decided_on)


def test_blank_lines_and_multiline_fields_keep_physical_line_numbers() -> None:
    data = csv_bytes(
        "",
        LICENSE_ROW + ',,,,,,"第一行\n第二行"',
        ",,,,,,,,,,,",  # only separators: skipped like a blank line
        LICENSE_ROW.replace("2026-04-08", "2026-02-30"),
    )
    report = parse(data)
    assert report.total_rows == 2
    assert report.records[0].summary == "第一行 第二行"
    assert [(e.line, e.field) for e in report.errors] == [(6, "decision_number"), (6, "decided_on")]
    assert "与第3行重复" in report.errors[0].message  # the duplicate row starts on line 3


def test_tab_separated_export() -> None:
    data = csv_bytes(LICENSE_ROW.replace(",", "\t"), header=HEADER.replace(",", "\t"))
    assert len(parse(data).records) == 1


def test_unknown_csv_columns_go_to_extra() -> None:
    data = csv_bytes(LICENSE_ROW + ",,,,,,,LN-0001,", header=HEADER + ",平台编号,")
    assert parse(data).records[0].extra == {"平台编号": "LN-0001"}


def test_names_and_codes_are_normalised() -> None:
    row = "license,９１２１１３８２ma0y8k7q3b,凌源市 示例建筑工程有限公司,凌源市行政审批局,凌审批1号,2026-4-8"
    record = parse(csv_bytes(row)).records[0]
    assert (record.subject_code, record.subject_name) == ("91211382MA0Y8K7Q3B", "凌源市示例建筑工程有限公司")


def test_invisible_characters_are_refused_and_not_echoed() -> None:
    row = LICENSE_ROW.replace("凌源市示例食品有限公司", "凌源市示例\u202e食品有限公司")
    (error,) = parse(csv_bytes(row)).errors
    assert error.field == "subject_name"
    assert "U+202E" in error.message
    assert "\u202e" not in error.message


# --- encodings and headers ------------------------------------------------------------


def chinese_header_csv() -> str:
    text = GOOD_CSV.read_text(encoding="utf-8")
    header, body = text.split("\n", 1)
    assert header == HEADER
    return ",".join(COLUMN_LABELS[key] for key in header.split(",")) + "\n" + body


def records_of(report: ImportReport) -> list[CreditRecord]:
    assert report.errors == ()
    return list(report.records)


def test_gb18030_input() -> None:
    data = chinese_header_csv().encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert records_of(parse(data, "导出.csv")) == records_of(parse_sample(GOOD_CSV))


def test_gbk_bytes_are_read_as_gb18030() -> None:
    data = csv_bytes(LICENSE_ROW).decode().encode("gbk")
    assert records_of(parse(data))[0].subject_name == "凌源市示例食品有限公司"


def test_utf8_bom() -> None:
    data = b"\xef\xbb\xbf" + GOOD_CSV.read_bytes()
    assert records_of(parse(data)) == records_of(parse_sample(GOOD_CSV))


def test_chinese_headers() -> None:
    data = chinese_header_csv().encode("utf-8-sig")
    assert records_of(parse(data)) == records_of(parse_sample(GOOD_CSV))


@pytest.mark.parametrize(
    "header",
    [
        "记录类型,统一社会信用代码,主体名称,决定部门,文号,认定日期",
        "*记录类型,*主体代码,*主体名称,*认定部门,*决定书文号,*决定日期",
        "记录类型（必填）, Subject_Code ,名称,来源部门,决定书文号,决定日期",
        "RECORD_TYPE,身份证号码,姓名,认定部门,决定书文号,决定日期",
    ],
)
def test_header_aliases(header: str) -> None:
    report = parse(csv_bytes(LICENSE_ROW, header=header))
    assert records_of(report)[0].decision_number == "凌审批食经许〔2026〕102号"


def test_json_both_shapes() -> None:
    document = json.loads(GOOD_JSON.read_text(encoding="utf-8"))
    as_array = json.dumps(document["records"], ensure_ascii=False).encode()
    assert records_of(parse(as_array)) == records_of(parse_sample(GOOD_JSON))
    assert parse(as_array).source_format == "json"


def test_json_with_chinese_keys_and_gb18030() -> None:
    records = json.loads(GOOD_JSON.read_text(encoding="utf-8"))["records"]
    renamed = [{COLUMN_LABELS.get(k, k): v for k, v in item.items()} for item in records]
    data = json.dumps(renamed, ensure_ascii=False).encode("gb18030")
    assert records_of(parse(data, "export.json")) == records_of(parse_sample(GOOD_JSON))


def test_json_key_given_twice_by_alias() -> None:
    item = json.loads(GOOD_JSON.read_text(encoding="utf-8"))["records"][0] | {"记录类型": "守信红名单"}
    (error,) = parse(json.dumps([item], ensure_ascii=False).encode()).errors
    assert error.message == "记录类型：同时出现“record_type”和“记录类型”两个键，只能保留一个"


# --- natural keys: importing twice is idempotent ----------------------------------------


def test_natural_key() -> None:
    record = by_number(parse_sample(GOOD_CSV))["LNXP-2026-0158"]
    assert natural_key(record) == ("rating", "91211382MA0Y8K7Q3B", "LNXP-2026-0158")


@pytest.mark.parametrize("path", [GOOD_CSV, GOOD_JSON], ids=lambda p: p.name)
def test_importing_twice_is_idempotent(path: Path) -> None:
    first, second = parse_sample(path), parse_sample(path)
    store: dict[tuple[str, str, str], CreditRecord] = {}
    for record in first.records + second.records:
        store[natural_key(record)] = record
    assert len(store) == len(first.records)
    assert [natural_key(r) for r in first.records] == [natural_key(r) for r in second.records]


def test_same_record_typed_differently_has_the_same_key() -> None:
    plain = parse(csv_bytes(LICENSE_ROW)).records[0]
    typed = LICENSE_ROW.replace("license", "行政许可").replace("91211382MA0612DD20", " 91211382ma0612dd20 ")
    typed = typed.replace("2026-04-08", "2026年4月8日")
    assert natural_key(parse(csv_bytes(typed)).records[0]) == natural_key(plain)


def test_same_number_for_another_subject_or_type_is_no_duplicate() -> None:
    other_subject = LICENSE_ROW.replace("91211382MA0612DD20", "91211382MA0Y8K7Q3B")
    other_type = LICENSE_ROW.replace("license", "red_list")
    report = parse(csv_bytes(LICENSE_ROW, other_subject, other_type))
    assert report.errors == ()
    assert len(report.records) == 3


# --- file-level errors ----------------------------------------------------------------


def many_rows(count: int) -> bytes:
    return (HEADER + "\n" + (LICENSE_ROW + "\n") * count).encode()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "", "文件为空"),
        (b" \r\n\n", "records.csv", "文件为空"),
        (b"PK\x03\x04\x14\x00\x06\x00", "records.xlsx", "Excel工作簿"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "records.xls", "Excel 97–2003"),
        (b"%PDF-1.7\n", "", "PDF文件"),
        ("记录类型,主体代码".encode("utf-16"), "", "UTF-16"),
        (b"\x80\xff\x80\xff", "", "无法识别文件编码"),
        (HEADER.encode() + b"\n\n", "", "文件中没有数据"),
        (HEADER.replace(",decided_on", "").encode() + b"\n", "", "缺少必需的列：决定日期（decided_on）"),
        (
            "类型,代码,名称\nlicense,91211382MA0612DD20,x\n".encode(),
            "",
            "缺少必需的列：记录类型（record_type）、主体代码（subject_code）",
        ),
        (LICENSE_ROW.encode() + b"\n", "", "未找到表头"),
        ((HEADER + ",记录类型\n").encode(), "", "表头第1列和第13列都是“记录类型”（record_type）"),
        (b"[]", "", "JSON中没有记录"),
        (b'{"records": {}}', "", "JSON应为记录对象的数组"),
        (b'{"data": []}', "", "JSON应为记录对象的数组"),
        (b'"record"', "x.json", "JSON应为记录对象的数组"),
        (b'[{"record_type": "license"}, "oops"]', "", "JSON数组第2项不是对象"),
        (b'[{"record_type": "license",}]', "", "JSON格式错误：第1行第28列"),
        (b'[{"record_type": "license"}]', "", "缺少必需的列：主体代码（subject_code）"),
        (b"{}", "records.json", "JSON应为记录对象的数组"),
    ],
)
def test_file_level_errors(data: bytes, filename: str, message: str) -> None:
    with pytest.raises(ImportFileError) as caught:
        parse(data, filename)
    assert message in caught.value.message
    assert isinstance(caught.value, DomainError)


def test_row_limit() -> None:
    assert parse(many_rows(3)).total_rows == 3
    with pytest.raises(ImportFileError, match=f"超过{MAX_ROWS}行的上限"):
        parse(many_rows(MAX_ROWS + 1))


def test_json_row_limit() -> None:
    with pytest.raises(ImportFileError, match=f"超过{MAX_ROWS}行的上限"):
        parse(json.dumps([JSON_ITEM] * (MAX_ROWS + 1)).encode(), "big.json")


def test_row_error_and_report_are_frozen() -> None:
    report = parse(csv_bytes(LICENSE_ROW))
    with pytest.raises(AttributeError):
        report.total_rows = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        RowError(2, "grade", "x").line = 3  # type: ignore[misc]


def test_a_minor_record_without_severity_is_light_and_a_penalty_must_say():
    """Trial 14 item 14: 轻微失信 takes its type's default (domain-rules §8.1); a penalty's
    severity decides 审慎 or a 七(一)13 ground, so it must be given."""
    header = ("record_type,subject_code,subject_name,source_department,decision_number,"
              "decided_on,valid_until,grade,ground,severity,repaired_on,summary\n")
    rows = ("minor,91211382MA0612DD20,凌源市示例食品有限公司,凌源市市场监督管理局,凌市监〔2026〕1号,"
            "2026-11-02,,,,,,未按时公示年度报告\n"
            "penalty,91211382MA01TJ3Y5A,凌源市示例化工有限公司,凌源市应急管理局,凌应急罚〔2026〕2号,"
            "2026-11-03,,,13,严重,,较重行政处罚\n"
            "penalty,91211382MA07LLJY4U,凌源市示例运输有限公司,凌源市税务局,凌税罚〔2026〕3号,"
            "2026-11-04,,,,,,未申报\n")
    report = parse_credit_records((header + rows).encode(), filename="r.csv", today=date(2026, 11, 29))
    assert [r.severity for r in report.records] == ["轻微", "严重"]
    assert report.rejected_rows == 1
    assert "行政处罚记录必须填写" in " ".join(str(line) for line in report.lines_zh())
