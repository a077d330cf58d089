"""An office's own licensed faces (OFFICE_FONTS): parsed from the configuration, first in their
role's stack with the bundled faces behind them, served to WeasyPrint, reported by check-fonts,
and refused with a Chinese message when the file is not a usable font.

The "office fonts" here are bundled files copied under an office's file names: the tests must
not depend on fonts a developer machine may lack, and a copy of a known face lets them check
which face printed what.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from fontTools import subset
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from app import create_app
from app.documents.fonts import (
    FONT_DIR,
    OfficeFont,
    OfficeFontError,
    build_font_stack,
    configure_office_fonts,
    font_stack,
    gb2312_characters,
    gb2312_hanzi,
    office_font_report,
    office_fonts_from_config,
)
from app.documents.render import html_to_pdf

FANGSONG_NAME = "仿宋_GB2312.ttf"
TITLE_NAME = "方正小标宋简体.ttf"


@pytest.fixture(autouse=True)
def bundled_fonts_after_the_test():
    """The office setting is per process: leave the next test with the bundled faces only."""
    configure_office_fonts(())
    yield
    configure_office_fonts(())


@pytest.fixture
def office_dir(tmp_path: Path) -> Path:
    """仿宋_GB2312 = a copy of LY Kai's file; 方正小标宋简体 = a copy of the heading cut (only the
    letter title's and copy labels' characters, so anything else falls back)."""
    folder = tmp_path / "office-fonts"
    folder.mkdir()
    shutil.copy(FONT_DIR / "LYKai-GB2312.ttf", folder / FANGSONG_NAME)
    shutil.copy(FONT_DIR / "LYHeading.ttf", folder / TITLE_NAME)
    return folder


def _base_fonts(pdf: bytes) -> set[str]:
    """The CSS family of every font the PDF's pages use (WeasyPrint's ``/ABCDEF+Family-Name``)."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            names.add(str(ref.get_object()["/BaseFont"]).split("+", 1)[1])
    return names


# --- the setting ----------------------------------------------------------------------------


def test_setting_as_json_object_string_and_chinese_role_names(tmp_path):
    expected = (OfficeFont("title", tmp_path / TITLE_NAME),
                OfficeFont("fangsong", tmp_path / FANGSONG_NAME))
    as_dict = office_fonts_from_config({"fangsong": FANGSONG_NAME, "title": TITLE_NAME}, tmp_path)
    as_text = office_fonts_from_config(f"fangsong={FANGSONG_NAME}, title={TITLE_NAME}", tmp_path)
    chinese = office_fonts_from_config(f"仿宋_GB2312={FANGSONG_NAME};小标宋={TITLE_NAME}", tmp_path)
    assert as_dict == as_text == chinese == expected  # in role order, whatever the given order
    absolute = office_fonts_from_config({"hei": "/srv/fonts/黑体.ttf"}, tmp_path)
    assert absolute == (OfficeFont("hei", Path("/srv/fonts/黑体.ttf")),)
    assert office_fonts_from_config(None) == office_fonts_from_config("") == ()


@pytest.mark.parametrize(("value", "message"), [
    ("songti=宋体.ttf", "角色“songti”不存在"),
    ("fangsong", "格式不对"),
    ("fangsong=", "格式不对"),
    ("fangsong=a.ttf,仿宋=b.ttf", "为仿宋指定了不止一个字体文件"),
    (42, "应为“角色=字体文件”列表或 JSON 对象"),
])
def test_malformed_setting_is_refused_in_chinese(value, message):
    with pytest.raises(OfficeFontError, match=message):
        office_fonts_from_config(value)


def test_malformed_setting_stops_the_app(tmp_path):
    with pytest.raises(OfficeFontError, match="角色“heiti”不存在"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x",
                    "OFFICE_FONTS": "heiti=黑体.ttf"})


# --- the stack ------------------------------------------------------------------------------


def test_office_faces_come_first_and_bundled_faces_stay_as_fallbacks(office_dir):
    office = office_fonts_from_config({"fangsong": FANGSONG_NAME, "title": TITLE_NAME}, office_dir)
    stack = build_font_stack(FONT_DIR, office)
    bundled = build_font_stack(FONT_DIR)
    assert stack.families("fangsong") == ["LY Office Fangsong", *bundled.families("fangsong")]
    assert stack.families("title") == ["LY Office Title", *bundled.families("title")]
    assert stack.families("heading") == ["LY Office Title", *bundled.families("heading")]
    for role in ("body", "hei", "kai"):  # roles without an office face are untouched
        assert stack.families(role) == bundled.families(role)
    assert [f.path for f in stack.office_faces()] == [office_dir / TITLE_NAME,
                                                      office_dir / FANGSONG_NAME]
    assert stack.office_key and not bundled.office_key
    css = stack.css()
    assert 'src: url("office-font:fangsong")' in css
    assert str(office_dir) not in css  # the renderer maps the role to the file, not the CSS


def test_non_font_missing_and_non_chinese_files_are_refused(tmp_path):
    fake = tmp_path / FANGSONG_NAME
    fake.write_text("这不是字体文件", encoding="utf-8")
    with pytest.raises(OfficeFontError, match=r"（仿宋）不是可用的 TrueType/OpenType 字体文件"):
        build_font_stack(FONT_DIR, [OfficeFont("fangsong", fake)])
    with pytest.raises(OfficeFontError, match=r"（黑体）不存在或不是文件"):
        build_font_stack(FONT_DIR, [OfficeFont("hei", tmp_path / "黑体.ttf")])
    with pytest.raises(OfficeFontError, match=r"不存在或不是文件"):
        build_font_stack(FONT_DIR, [OfficeFont("hei", tmp_path)])  # a folder
    latin = tmp_path / "latin.ttf"
    with TTFont(FONT_DIR / "LYBody-GB2312.ttf") as font:
        cutter = subset.Subsetter()
        cutter.populate(unicodes=range(0x20, 0x7F))
        cutter.subset(font)
        font.save(latin)
    with pytest.raises(OfficeFontError, match="不含任何 GB 2312 汉字"):
        build_font_stack(FONT_DIR, [OfficeFont("kai", latin)])


def test_configuring_rebuilds_the_process_stack(office_dir):
    before = font_stack()
    configure_office_fonts([OfficeFont("fangsong", office_dir / FANGSONG_NAME)])
    assert font_stack().families("fangsong")[0] == "LY Office Fangsong"
    configure_office_fonts(())
    assert font_stack().families("fangsong") == before.families("fangsong")


def test_report_counts_each_office_face_by_itself(office_dir):
    office = office_fonts_from_config({"fangsong": FANGSONG_NAME, "title": TITLE_NAME}, office_dir)
    stack = build_font_stack(FONT_DIR, office)
    title_line, fangsong_line = office_font_report(stack)
    assert fangsong_line == (
        f"{FANGSONG_NAME}（仿宋，CSS “LY Office Fangsong”）：GB 2312 汉字 6763/6763，"
        f"符号 {self_count(stack, 'LY Office Fangsong')}/682，"
        f"基本区 URO {uro_count(stack, 'LY Office Fangsong')}/20992，扩展 A 2/6592"
    )  # LY Kai's subset: GB 2312 plus frequent name characters, two of them in Ext A (㛃㭎)
    with TTFont(FONT_DIR / "LYHeading.ttf") as font:
        heading = font.getBestCmap()
    hanzi = len(set(heading) & gb2312_hanzi())
    assert 0 < hanzi < 50
    assert title_line.startswith(f"{TITLE_NAME}（小标宋（标题），CSS “LY Office Title”）："
                                 f"GB 2312 汉字 {hanzi}/6763，")


def self_count(stack, family: str) -> int:
    return len((gb2312_characters() - gb2312_hanzi()) & stack.face_coverage[family])


def uro_count(stack, family: str) -> int:
    return sum(1 for cp in stack.face_coverage[family] if 0x4E00 <= cp <= 0x9FFF)


# --- rendering and the CLI ------------------------------------------------------------------


def test_office_face_prints_and_bundled_faces_fill_its_gaps(office_dir, tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "x",
                      "OFFICE_FONTS": f"fangsong={FANGSONG_NAME},title={TITLE_NAME}",
                      "OFFICE_FONTS_DIR": str(office_dir)})
    assert app.config["OFFICE_FONTS_DIR"] == str(office_dir)
    stack = font_stack()
    html = "".join(f"<p style='font-family: {stack.family(role)}'>{text}</p>" for role, text in (
        ("title", "信用承诺书 凌源"), ("fangsong", "本单位郑重承诺"), ("body", "宋体正文")))
    pdf = html_to_pdf(html)
    used = _base_fonts(pdf)
    # 信用承诺书 from the office 小标宋 (it has those characters); 凌源, which it lacks, from
    # the bundled title face; the whole 仿宋 line from the office 仿宋; body untouched.
    assert {"LY-Office-Title", "LY-Office-Fangsong", "LY-Body"} <= used, used
    assert any(name.startswith(("LY-Title", "LY-Heading")) for name in used), used
    assert not any(name.startswith("LY-Fang") for name in used), used

    configure_office_fonts(())  # the same HTML with the bundled faces only
    used = _base_fonts(html_to_pdf(html.replace("LY Office Fangsong", "LY Fang")
                                   .replace('"LY Office Title", ', "")))
    assert not any("Office" in name for name in used), used


def test_check_fonts_reports_the_office_faces(office_dir, tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "x",
                      "OFFICE_FONTS": {"仿宋": FANGSONG_NAME},
                      "OFFICE_FONTS_DIR": str(office_dir)})
    result = app.test_cli_runner().invoke(args=["check-fonts"])
    assert result.exit_code == 0, result.output
    assert re.search(rf"办公字体：{FANGSONG_NAME}（仿宋，CSS “LY Office Fangsong”）："
                     r"GB 2312 汉字 6763/6763，符号 \d+/682，基本区 URO \d+/20992，扩展 A \d+/6592",
                     result.output), result.output
    assert f"字体角色 fangsong：{FANGSONG_NAME}（仿宋，CSS “LY Office Fangsong”）" in result.output
    assert "字体角色 kai：LYKai-GB2312.ttf（楷体，CSS “LY Kai”）" in result.output
    assert "字体检查通过" in result.output


def test_check_fonts_refuses_a_non_font_office_file(tmp_path):
    folder = tmp_path / "office-fonts"
    folder.mkdir()
    (folder / "黑体.ttf").write_bytes(b"%PDF-1.7 not a font")
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "x",
                      "OFFICE_FONTS": "黑体=黑体.ttf", "OFFICE_FONTS_DIR": str(folder)})
    result = app.test_cli_runner().invoke(args=["check-fonts"])
    assert result.exit_code == 1
    assert f"问题：办公字体“{folder / '黑体.ttf'}”（黑体）不是可用的 TrueType/OpenType 字体文件" \
        in result.output
    assert "字体检查通过" not in result.output


def test_without_the_setting_check_fonts_says_bundled_only(runner):
    result = runner.invoke(args=["check-fonts"])
    assert result.exit_code == 0, result.output
    assert "未配置办公字体（OFFICE_FONTS）：全部使用内置字体" in result.output
    # the 仿宋 role: its own face covers GB 2312 (all but U+2015), the stack all of URO and Ext A
    assert ("字体角色 fangsong：LYFang-GB2312.ttf（仿宋，CSS “LY Fang”）：GB 2312 汉字 6763/6763，"
            "符号 681/682，基本区 URO 6763/20992，扩展 A 0/6592；整个字体栈 URO 20992/20992，"
            "扩展 A 6592/6592") in result.output


def test_blank_forms_are_cached_per_set_of_office_fonts(office_dir, tmp_path):
    from app.documents.commitment import CURRENT_TEMPLATE_VERSION
    from app.domain.commitments import Scenario
    from app.domain.subjects import SubjectKind
    from app.services.blanks import BlankCache

    args = (Scenario.PROJECT_APPROVAL, SubjectKind.ENTERPRISE, "pdf")
    cache = BlankCache(tmp_path / "cache")
    bundled = cache.get(*args)
    configure_office_fonts([OfficeFont("title", office_dir / TITLE_NAME)])
    office = cache.get(*args)
    assert office.data != bundled.data
    assert "LY-Office-Title" in _base_fonts(office.data)
    assert "LY-Office-Title" not in _base_fonts(bundled.data)
    names = sorted(p.name for p in (tmp_path / "cache").iterdir())
    plain = f"blank-{CURRENT_TEMPLATE_VERSION}-project_approval-enterprise-pdf.pdf"
    assert plain in names  # the bundled-only name is unchanged
    assert len(names) == 2
    configure_office_fonts(())
    assert cache.get(*args).data == bundled.data
