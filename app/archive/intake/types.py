"""The intake gate's vocabulary: limits, the facts of an accepted PDF, and why a file is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MB = 1024 * 1024
TEXT_SAMPLE_PAGES = 3
TEXT_SAMPLE_CHARS = 5000


@dataclass(frozen=True)
class IntakeLimits:
    """Bounds for one uploaded PDF; the defaults are the service's policy for uploads."""

    max_bytes: int = 20 * MB
    """Largest accepted file, in bytes."""
    max_pages: int = 500
    """Most pages accepted."""
    cpu_seconds: int = 10
    """CPU seconds the worker may spend on this file (``RLIMIT_CPU``, whole seconds)."""
    memory_bytes: int = 512 * MB
    """Address space of the worker while it parses this file (``RLIMIT_AS``), in bytes."""
    wall_seconds: float = 20
    """Wall-clock time the caller waits for the worker before killing it, in seconds."""
    max_decompressed_bytes: int = 200 * MB
    """Total decoded size of all streams, in bytes (a decompression bomb is refused past it)."""
    max_objects: int = 200_000
    """Most indirect objects in the file."""
    max_stream_ratio: int = 100
    """A single stream may not expand more than this many times its encoded size ..."""
    stream_ratio_floor_bytes: int = 16 * MB
    """... once its decoded size is past this many bytes (small, very compressible streams are normal:
    a blank scan or an empty content stream easily deflates 1000:1)."""
    max_page_side_mm: float = 5000
    """Longest accepted page side (MediaBox, CropBox, after ``/UserUnit``), in millimetres; A0 is
    1189 mm and an engineering roll drawing rarely passes 3 m, so 5 m is absurd, not a large page."""
    text_pages: int = TEXT_SAMPLE_PAGES
    """Pages whose text is extracted (``PdfFacts.text_sample``); a report upload reads more, to find
    its grade, dates and unfilled fields (about 35 ms of CPU per page)."""
    text_chars: int = TEXT_SAMPLE_CHARS
    """Most characters of extracted text kept."""


MESSAGES = {
    "empty_file": "文件为空",
    "too_large": "文件超过{limit}上限",
    "not_pdf": "文件不是PDF格式",
    "polyglot": "文件开头不是PDF文件头（%PDF-），可能是伪装成PDF的其他文件，不予接收",
    "broken_pdf": "PDF文件已损坏，无法解析",
    "encrypted": "PDF文件已加密，请上传未加密的文件",
    "too_many_pages": "PDF页数超过{limit}页上限（本文件{pages}页）",
    "javascript": "PDF含有JavaScript脚本，出于安全原因不予接收",
    "launch_action": "PDF含有启动外部程序的动作（Launch）",
    "embedded_file": "PDF含有嵌入文件（附件）",
    "xfa": "PDF含有XFA表单",
    "jbig2": "PDF含有JBIG2编码的图像，出于安全原因不予接收，请以JPEG或PNG图像重新扫描或另存为PDF",
    "bad_page_box": "PDF第{page}页的页面尺寸无效（{problem}）",
    "page_count_mismatch": "PDF页面树记录的页数（/Count {stated}）与实际页数（共{pages}页）不符，"
                           "不同阅读器会显示不同的页面，请用PDF软件另存后重新上传",
    "decompression_bomb": "PDF解压后数据过大，疑似压缩炸弹",
    "parse_timeout": "PDF解析超时",
    "parse_resources": "PDF解析所需资源超出限制",
    "public_copy": "这是公示文本，不是签章原件：本站生成的带“公示专用”水印的公示副本不能作为承诺书上传，"
                   "请上传承诺人签字盖章的原件（纸质原件的扫描件或电子签章文件）",
}


class IntakeUnavailable(RuntimeError):
    """The sandboxed parser cannot run (its worker processes die before reading the file)."""

    code = "intake_unavailable"
    message = "文件检查服务暂时不可用，请稍后重试；如持续出现请联系管理员"


class IntakeRejected(Exception):
    """An uploaded file refused by the intake gate (上传文件未通过检查).

    ``code`` is stable for API clients (one of ``REJECTION_CODES``); ``message`` is the Chinese text
    shown to the user and names the problem; ``detail`` is English, for logs (which object, which
    warning), and is never shown to the user.
    """

    def __init__(self, code: str, message: str | None = None, *, detail: str = "", **fields: Any) -> None:
        if code not in MESSAGES:
            raise ValueError(f"unknown intake rejection code: {code!r}")
        message = message if message is not None else MESSAGES[code].format(**fields)
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail

    def __reduce__(self) -> tuple[Any, ...]:  # picklable (task queues), despite the custom __init__
        return (type(self), (self.code, self.message), {"detail": self.detail})

    def __repr__(self) -> str:
        return f"IntakeRejected({self.code!r}, {self.message!r}, detail={self.detail!r})"


REJECTION_CODES = frozenset(MESSAGES)
"""Every ``IntakeRejected.code``."""


@dataclass(frozen=True)
class PdfFacts:
    """What the gate learnt about an accepted PDF (used to pre-fill the upload form)."""

    sha256: str
    """SHA-256 of the file, lower-case hex."""
    size_bytes: int
    """File size in bytes."""
    page_count: int
    """Number of pages."""
    text_sample: str
    """Extracted text of the first pages (at most ``IntakeLimits.text_pages`` pages and
    ``IntakeLimits.text_chars`` characters, by default ``TEXT_SAMPLE_PAGES``/``TEXT_SAMPLE_CHARS``);
    empty when the text could not be extracted (scans, unusual fonts)."""
    document_numbers: tuple[str, ...]
    """Valid 文书编号 (check character verified) found in the text sample or in link URIs, canonical
    upper-case form, in order of first appearance, without repeats."""
    verify_urls: tuple[str, ...]
    """Every link ``/URI`` containing ``/verify/`` (our QR codes and links), in file order, unique."""
    has_signatures: bool
    """True when a signature field has a value (``/FT /Sig`` with ``/V``) or any ``/ByteRange`` exists."""

