"""Upload file names (上传文件名) made safe to store, show and download."""

from __future__ import annotations

import re
import unicodedata


def display_file_name(name: str) -> str:
    """The uploaded file's name as stored and shown (上传文件名): never used as a storage path.

    One function for every upload (filings, stamp jobs, agency reports), so that a name that is safe
    to show, to put in ``Content-Disposition`` and to save on a Windows desktop is made in one place:

    1. cut at the first NUL (``x.pdf\\0.php``: C code sees ``x.pdf``, other code ``x.pdf.php``);
    2. NFC; everything up to the last ``/`` or ``\\`` removed; control, format (bidi, zero-width),
       line/paragraph-separator and surrogate characters removed; ``<>:"|?*`` (reserved on Windows,
       ``:`` opens an NTFS stream) replaced by ``_``;
    3. leading dots, hyphens and spaces (hidden files, command-line options) and trailing dots and
       spaces (Windows drops them, so ``x.php.`` would become ``x.php``) removed;
    4. every executable or active type among the extensions dropped (``x.php.pdf``, ``x.pdf.exe``
       -> ``x.pdf``; see ``_EXECUTABLE_EXTENSIONS``), a Windows device name (``CON``, ``LPT1``) prefixed
       with ``_``;
    5. ends in ``.pdf``: a final ``.PDF`` is lower-cased, any other ending gets ``.pdf`` appended;
    6. at most ``200`` characters, keeping ``.pdf``. Nothing left gives ``"upload.pdf"``.
    """
    name = (name or "").split("\0", 1)[0]
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in _INVISIBLE_CATEGORIES)
    name = unicodedata.normalize("NFC", name)  # removals may bring combining marks together
    name = _WINDOWS_RESERVED.sub("_", name)
    name = name.lstrip(" .-").rstrip(" .")
    stem, *extensions = name.split(".")
    extensions = [e for e in extensions if e.strip().lower() not in _EXECUTABLE_EXTENSIONS and e.strip()]
    stem = stem.rstrip(" ")
    if not stem and not extensions:
        return _DEFAULT_FILE_NAME
    if stem.upper() in _WINDOWS_DEVICES:
        stem = "_" + stem
    if extensions and extensions[-1].strip().lower() == "pdf":
        extensions.pop()
    base = ".".join([stem, *extensions]).strip(" .") or _DEFAULT_FILE_NAME[: -len(".pdf")]
    return base[: _MAX_FILE_NAME - len(".pdf")].rstrip(" .") + ".pdf"


_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_MAX_FILE_NAME = 200
_DEFAULT_FILE_NAME = "upload.pdf"
_WINDOWS_RESERVED = re.compile(r'[<>:"|?*]')
_WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
                              *(f"LPT{i}" for i in range(10))})
# Types that a browser, a desktop or a web server would run or render as active content
# (OWASP File Upload Cheat Sheet; Windows "dangerous file types" list; web-server handler mappings).
_EXECUTABLE_EXTENSIONS = frozenset({
    "php", "php3", "php4", "php5", "php7", "pht", "phtml", "phar", "asp", "aspx", "ascx", "ashx",
    "asmx", "cer", "jsp", "jspx", "war", "cgi", "pl", "py", "pyc", "pyw", "rb", "sh", "bash", "zsh",
    "csh", "ksh", "exe", "dll", "com", "scr", "pif", "bat", "cmd", "msi", "msp", "mst", "cpl", "jar",
    "jnlp", "js", "mjs", "cjs", "jse", "vbs", "vbe", "wsf", "wsh", "ws", "ps1", "psm1", "psd1", "hta",
    "html", "htm", "xhtml", "shtml", "shtm", "mht", "mhtml", "svg", "svgz", "xml", "xsl", "xslt",
    "swf", "lnk", "url", "reg", "inf", "scf", "gadget", "msc", "application", "appref-ms",
    "desktop", "command", "app", "apk", "elf", "run", "bin", "deb", "rpm", "dmg", "pkg",
    "docm", "xlsm", "pptm", "dotm", "xltm",
})
