"""Build a search benchmark database: N filings of 6 units over 3 years, plus their index rows.

    .venv/bin/python bench/make_search_dataset.py                      # 1,000,000 into bench/out/
    .venv/bin/python bench/make_search_dataset.py --n 200000 \\
        --url postgresql://postgres@127.0.0.1:5432/lyxy_search_dev --reset

SQLite: the file is recreated; rows go in with executemany in one transaction (with the
public-name grams of migration 0018), then the FTS5 index is merged ('optimize')
and ANALYZE runs. PostgreSQL: ``--reset`` drops and recreates the
public schema (refused without it when filings exist); rows go in with COPY (the index rows
through a staging table, so that PostgreSQL's own lower() folds the documents), the trigram index
is built after the load, then VACUUM ANALYZE (what autovacuum does to an append-mostly table
soon after; without it every index-only scan visits the heap). The index text comes from
``indexed_text``, the function the adapter uses, so the benchmark searches what production would
hold.

Names are realistic shapes (凌源市鑫源建筑工程有限公司, 凌源市德顺五金商行, 张** for persons),
codes are valid-looking USCCs (check character computed) or masked resident IDs, 80% of the
filings are published, and ``created_at`` grows with the id (filings are appended).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from app.archive.search import indexed_text, name_grams  # noqa: E402
from app.db import make_engine, upgrade_database  # noqa: E402
from app.domain.identifiers import USCC_ALPHABET, uscc_check_char  # noqa: E402

DEFAULT_URL = f"sqlite:///{ROOT / 'bench' / 'out' / 'search.sqlite3'}"
UNITS = ["凌源市发展和改革局", "凌源市住房和城乡建设局", "凌源市市场监督管理局", "凌源市财政局",
         "凌源市自然资源局", "凌源市行政审批局"]
BRAND_CHARS = ("鑫源华兴盛达昌隆泰丰顺德宏远恒通利安嘉和瑞祥福永金银宝新兴发明光东方北辽凌河山川"
               "森林海天宇星辰博创智信诚仁义礼中正佳美康健乐百千万益众鼎峰润泽晟弘鸿运景祺禾")
INDUSTRIES = ["建筑工程", "建设工程", "市政工程", "装饰工程", "商贸", "农业科技", "农牧", "食品", "物流",
              "运输", "电力工程", "水利工程", "环保科技", "信息技术", "网络科技", "医药", "医疗器械",
              "机械制造", "矿业", "建材", "钢结构", "园林绿化", "劳务", "物业管理", "餐饮管理", "酒店管理",
              "文化传媒", "广告", "教育咨询", "房地产开发", "汽车销售", "石材", "化工", "纺织", "印刷",
              "办公设备", "电子科技", "新能源", "热力", "燃气"]
SUFFIXES = ["有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司"]
SHOP_GOODS = ["五金", "百货", "日杂", "粮油", "烟酒", "建材", "农资", "服装", "电器", "家具", "汽修",
              "餐馆", "超市", "药店", "水果", "蔬菜"]
SHOP_SUFFIXES = ["商行", "经销处", "门市部", "店", "超市", "经营部"]
INSTITUTIONS = ["第一中学", "第二小学", "职业技术学校", "中心医院", "妇幼保健院", "疾病预防控制中心",
                "图书馆", "文化馆", "社会福利院", "广播电视台"]
ORGANIZATIONS = ["个体劳动者协会", "建筑业协会", "餐饮行业协会", "慈善总会", "老年人体育协会", "律师协会"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏飞建国建华志强丹凤宇浩然"
PROJECTS = ["城南片区道路改造工程", "老旧小区改造工程", "农村饮水安全工程", "污水处理厂提标改造工程",
            "中心医院门诊楼建设项目", "第一中学教学楼维修工程", "大凌河堤防加固工程", "热源厂扩建项目",
            "工业园区标准化厂房项目", "乡村振兴示范村建设项目", "政务服务中心办公设备采购项目",
            "学生营养餐食材采购项目", "城区绿化养护服务项目", "公共租赁住房维修项目"]
MATTER_TEMPLATES = ["凌源市{p}施工许可", "凌源市{p}投标", "凌源市{p}可行性研究报告审批", "{p}备案",
                    "食品经营许可", "道路运输经营许可", "药品经营许可证换证", "建设用地规划许可",
                    "申请公共租赁住房保障", "个体工商户设立登记", "排水许可", "公共场所卫生许可",
                    "申请职业技能培训补贴", "不动产登记"]
SCENARIOS = ["project_approval", "procurement_bidding", "administrative_service"]
KINDS = [("enterprise", 0.55), ("individual_business", 0.15), ("natural_person", 0.20),
         ("institution", 0.05), ("social_organization", 0.05)]
STATUSES = [("published", 0.80), ("pending", 0.08), ("rejected", 0.07), ("revoked", 0.05)]
USCC_PREFIX = {"enterprise": "91", "individual_business": "92", "institution": "12",
               "social_organization": "51"}
START = datetime(2023, 12, 1, 8, 0, tzinfo=UTC)
SPAN = timedelta(days=3 * 365)
FILING_COLUMNS = ("id", "sha256", "original_name", "size_bytes", "page_count", "unit_id", "subject_kind",
                  "subject_name", "subject_code_public", "subject_code_hash", "subject_code_enc",
                  "legal_representative", "matter", "scenario", "commitment_date", "status",
                  "created_at")


def _weighted(rng: random.Random, table: list[tuple[str, float]]) -> str:
    x, acc = rng.random(), 0.0
    for value, weight in table:
        acc += weight
        if x < acc:
            return value
    return table[-1][0]


def _uscc(rng: random.Random, kind: str) -> str:
    body = USCC_PREFIX[kind] + "211382" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_char(body)


def _name(rng: random.Random, kind: str) -> str:
    brand = rng.choice(BRAND_CHARS) + rng.choice(BRAND_CHARS)
    town = "凌源市" if rng.random() < 0.6 else ""
    if kind == "enterprise":
        return f"{town}{brand}{rng.choice(INDUSTRIES)}{rng.choice(SUFFIXES)}"
    if kind == "individual_business":
        return f"凌源市{brand}{rng.choice(SHOP_GOODS)}{rng.choice(SHOP_SUFFIXES)}"
    if kind == "institution":
        prefix = "" if rng.random() < 0.5 else brand
        return f"凌源市{prefix}{rng.choice(INSTITUTIONS)}"
    if kind == "social_organization":
        return f"凌源市{rng.choice(ORGANIZATIONS)}"
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def generate_rows(n: int, seed: int):
    """Yield (filing tuple, index tuple) for ids 1..n, created_at ascending over three years."""
    rng = random.Random(seed)
    step = SPAN / n
    for i in range(1, n + 1):
        kind = _weighted(rng, KINDS)
        name = _name(rng, kind)
        if kind == "natural_person":
            code = "2" + "*" * 13 + f"{rng.randrange(10000):04d}"
        else:
            code = _uscc(rng, kind)
        created = START + step * i + timedelta(seconds=rng.randrange(60))
        unit_id = rng.randrange(len(UNITS)) + 1
        matter = rng.choice(MATTER_TEMPLATES).format(p=rng.choice(PROJECTS))
        row = (i, f"{i:064x}", "信用承诺书.pdf", 180_000, 2, unit_id, kind, name, code, f"{i:064x}", "-",
               "", matter, rng.choice(SCENARIOS), created.date() - timedelta(days=rng.randrange(8)),
               _weighted(rng, STATUSES), created)
        idx = indexed_text(kind, name, code, matter, UNITS[unit_id - 1])
        yield row, (i, idx)


def build_sqlite(url: str, n: int, seed: int, batch: int = 20_000) -> None:
    path = Path(url.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    upgrade_database(url)
    engine = make_engine(url)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("PRAGMA synchronous=OFF")
        cur.execute("PRAGMA cache_size=-500000")
        cur.executemany("INSERT INTO receiving_units (id, name, created_at) VALUES (?, ?, ?)",
                        [(i + 1, u, START) for i, u in enumerate(UNITS)])
        marks = ", ".join("?" * len(FILING_COLUMNS))
        ins_f = f"INSERT INTO filings ({', '.join(FILING_COLUMNS)}) VALUES ({marks})"
        ins_i = ("INSERT INTO filings_fts (rowid, subject_name, subject_code, matter, unit_name) "
                 "VALUES (?, ?, ?, ?, ?)")
        ins_g = "INSERT INTO filings_name_grams (gram, filing_id) VALUES (?, ?)"
        filings, index, grams = [], [], []
        for row, (i, idx) in generate_rows(n, seed):
            # SQLAlchemy's SQLite storage formats, so ORM-written and generated rows sort alike
            created = row[-1].strftime("%Y-%m-%d %H:%M:%S.%f")
            filings.append(row[:-3] + (row[-3].isoformat(), row[-2], created))
            index.append((i, idx.subject_name, idx.subject_code, idx.matter, idx.unit_name))
            grams += [(g, i) for g in name_grams(idx.subject_name)]
            if len(filings) == batch:
                cur.executemany(ins_f, filings)
                cur.executemany(ins_i, index)
                cur.executemany(ins_g, grams)
                filings, index, grams = [], [], []
        cur.executemany(ins_f, filings)
        cur.executemany(ins_i, index)
        cur.executemany(ins_g, grams)
        raw.commit()
        t = time.perf_counter()
        cur.execute("INSERT INTO filings_fts (filings_fts) VALUES ('optimize')")
        cur.execute("ANALYZE")
        raw.commit()
        print(f"  optimize + analyze {time.perf_counter() - t:.1f} s")
    finally:
        raw.close()
        engine.dispose()


def build_postgresql(url: str, n: int, seed: int, reset: bool) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        has = conn.execute(text("SELECT to_regclass('public.filings') IS NOT NULL")).scalar()
        if has and not reset:
            raise SystemExit(f"{url} already has filings; pass --reset to drop the public schema")
        if has:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade_database(url)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        # Built after the load: one bulk GIN build is several times faster than 1 row at a time.
        cur.execute(f"DROP INDEX {GIN_INDEX_NAME}")
        cur.execute("ALTER TABLE filings_name_grams DROP CONSTRAINT filings_name_grams_pkey")
        cur.execute("DROP INDEX ix_filings_name_grams_filing")
        cur.executemany("INSERT INTO receiving_units (id, name, created_at) VALUES (%s, %s, %s)",
                        [(i + 1, u, START) for i, u in enumerate(UNITS)])
        index_rows = []
        with cur.copy(f"COPY filings ({', '.join(FILING_COLUMNS)}) FROM STDIN") as copy:
            for row, (i, idx) in generate_rows(n, seed):
                copy.write_row(row)
                filters = dict(zip(FILING_COLUMNS, row, strict=True))
                index_rows.append((i, *(filters[c] for c in SEARCH_FILTER_COLUMNS),
                                   idx.subject_name, idx.document))
        staged = ("filing_id", *SEARCH_FILTER_COLUMNS, "subject_name")
        cur.execute("CREATE TEMPORARY TABLE search_staging AS SELECT "
                    f"{', '.join(staged)}, document_lower AS document FROM filings_search WITH NO DATA")
        with cur.copy(f"COPY search_staging ({', '.join(staged)}, document) FROM STDIN") as copy:
            for r in index_rows:
                copy.write_row(r)
        cur.execute(f"INSERT INTO filings_search ({', '.join(staged)}, document_lower) "
                    f"SELECT {', '.join(staged)}, lower(document) FROM search_staging ORDER BY filing_id")
        cur.execute("DROP TABLE search_staging")
        with cur.copy("COPY filings_name_grams (gram, filing_id) FROM STDIN") as copy:
            for r in index_rows:
                for g in name_grams(r[-2]):
                    copy.write_row((g, r[0]))
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute(GIN_INDEX)
        cur.execute("ALTER TABLE filings_name_grams ADD PRIMARY KEY (gram, filing_id)")
        cur.execute(GRAMS_FILING_INDEX)
        cur.execute("SELECT setval(pg_get_serial_sequence('filings', 'id'), %s)", (n,))
        cur.execute("SELECT setval(pg_get_serial_sequence('receiving_units', 'id'), %s)", (len(UNITS),))
        raw.commit()
        raw.driver_connection.autocommit = True  # VACUUM refuses to run inside a transaction
        cur.execute("VACUUM ANALYZE")
    finally:
        raw.close()
        engine.dispose()


def _migration(filename: str):
    """A migration module of migrations/versions: its column lists and index DDL are reused here."""
    from importlib import util

    path = ROOT / "migrations" / "versions" / filename
    spec = util.spec_from_file_location(path.stem, path)
    module = util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SEARCH_FILTER_COLUMNS = _migration("0004_search_index.py").SEARCH_FILTER_COLUMNS
_TRIGRAM_MIGRATION = _migration("0007_filings_search_trgm_by_era.py")
GRAMS_FILING_INDEX = _migration("0018_name_grams.py").FILING_ID_INDEX
"""The filing_id index of the gram table (1-2 character queries): built after the load."""
GIN_INDEX_NAME, GIN_INDEX = _TRIGRAM_MIGRATION.INDEX_NAME, _TRIGRAM_MIGRATION.CREATE_INDEX
"""The trigram index (by era) as the newest migration defines it: dropped before the bulk load
and created again after it."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of filings")
    parser.add_argument("--url", default=DEFAULT_URL, help=f"database URL (default {DEFAULT_URL})")
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--reset", action="store_true", help="PostgreSQL: drop the public schema first")
    args = parser.parse_args()
    t = time.perf_counter()
    if args.url.startswith("sqlite:///"):
        build_sqlite(args.url, args.n, args.seed)
    elif args.url.startswith(("postgresql", "postgres://")):
        build_postgresql(args.url, args.n, args.seed, args.reset)
    else:
        raise SystemExit("only sqlite:/// and postgresql:// URLs are supported")
    print(f"built {args.n:,} filings (+ index rows) into {args.url} in {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
