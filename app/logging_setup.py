"""Logging, and the start-up checks that deserve a loud warning (fonts, HarfBuzz subsetting)."""

from __future__ import annotations

import logging

from flask import Flask

LOG = logging.getLogger("lyxy")


def init_app(app: Flask) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from app.documents.fonts import check_fonts, harfbuzz_subset_available

    if not harfbuzz_subset_available():
        LOG.warning("HarfBuzz 字体子集化不可用（缺少 libharfbuzz-subset0）：PDF 将嵌入整套字体，"
                    "中文渲染会慢约 70 倍。请运行 make setup 或 apt-get install libharfbuzz-subset0")
    for problem in check_fonts(verify_checksums=False):
        LOG.warning("字体检查: %s", problem)
