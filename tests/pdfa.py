"""PDF/A-2 (ISO 19005-2) and tagging checks for our own outputs, as a reusable test helper.

No PDF/A validator can be had from the registries we reach (veraPDF is Java, on none of PyPI,
Debian bookworm or npm), so this module checks with pikepdf the requirements of ISO 19005-2 that
files like ours (text in embedded TrueType subsets, PNG/JPEG images, seals with soft masks and
blend modes, widget annotations) can break, clause by clause, plus the tagging a PDF/UA-minded
reviewer looks at (ISO 14289-1 7.1, 7.2, 7.3, 7.18). ``pdfa_problems`` returns every problem
found, as text naming the clause, so a failing assertion says what is wrong.

It is not a full validator: it does not check glyph widths against the font programs, the
content of ICC profiles beyond their header, or XMP properties against every predefined schema.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta, timezone
from xml.etree import ElementTree

import pikepdf

NS = {"x": "adobe:ns:meta/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
      "dc": "http://purl.org/dc/elements/1.1/", "xmp": "http://ns.adobe.com/xap/1.0/",
      "pdf": "http://ns.adobe.com/pdf/1.3/", "pdfaid": "http://www.aiim.org/pdfa/ns/id/"}
FORBIDDEN_ACTIONS = {"/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/Hide",
                     "/SetOCGState", "/Rendition", "/Trans", "/GoTo3DView", "/JavaScript"}
"""ISO 19005-2 6.5.1: action types a PDF/A-2 file shall not contain."""
FORBIDDEN_ANNOTS = {"/3D", "/Sound", "/Screen", "/Movie", "/FileAttachment"}
"""6.3.1: annotation types not permitted (FileAttachment only in PDF/A-3)."""
BLEND_MODES = {"/Normal", "/Compatible", "/Multiply", "/Screen", "/Overlay", "/Darken", "/Lighten",
               "/ColorDodge", "/ColorBurn", "/HardLight", "/SoftLight", "/Difference",
               "/Exclusion", "/Hue", "/Saturation", "/Color", "/Luminosity"}
"""6.2.10: only the blend modes ISO 32000-1 11.3.5 names."""
SUBSET = re.compile(r"^/[A-Z]{6}\+")
TEXT_SHOWING = {"Tj", "TJ", "'", '"'}
PAINTING = {"Do", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh", "BI"}


def _xmp(doc: pikepdf.Pdf, problems: list[str]) -> ElementTree.Element | None:
    meta = doc.Root.get("/Metadata")
    if not isinstance(meta, pikepdf.Stream):
        problems.append("6.6.2.1: the catalog has no /Metadata stream")
        return None
    if meta.get("/Type") != "/Metadata" or meta.get("/Subtype") != "/XML":
        problems.append("6.6.2.1: /Metadata is not a /Type /Metadata /Subtype /XML stream")
    raw = meta.read_bytes()
    header = re.search(rb"<\?xpacket begin=[^>]*\?>", raw)
    if header is None:
        problems.append("6.6.2.1: XMP has no xpacket header")
    elif b"bytes=" in header.group() or b"encoding=" in header.group():
        problems.append("6.6.2.1: xpacket header has a bytes or encoding attribute")
    try:
        return ElementTree.fromstring(re.sub(rb"<\?xpacket[^>]*\?>", b"", raw).strip())
    except ElementTree.ParseError as exc:
        problems.append(f"6.6.2.1: XMP is not well-formed XML ({exc})")
        return None


def xmp_values(root: ElementTree.Element) -> dict[str, str]:
    """Simple XMP properties as ``prefix:name`` -> text (attributes, simple elements and the first
    item of an Alt/Seq/Bag, which is what Info entries correspond to)."""
    inverse = {uri: prefix for prefix, uri in NS.items()}
    values: dict[str, str] = {}

    def key(tag: str) -> str | None:
        uri, _, name = tag[1:].partition("}")
        return f"{inverse[uri]}:{name}" if uri in inverse else None

    for desc in root.iter(f"{{{NS['rdf']}}}Description"):
        for attr, value in desc.attrib.items():
            if (k := key(attr)) and not k.startswith("rdf:"):
                values[k] = value
        for prop in desc:
            k = key(prop.tag)
            if k is None:
                continue
            items = list(prop.iter(f"{{{NS['rdf']}}}li"))
            if items:
                values[k] = items[0].text or ""
                values[k + "#count"] = str(len(items))
            else:
                values[k] = prop.text or ""
    return values


def _pdf_date(value: str) -> datetime | None:
    m = re.fullmatch(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Z+-])(\d{2})?'?(\d{2})?'?)?",
                     value)
    if m is None:
        return None
    y, mo, d, h, mi, s, sign, tzh, tzm = m.groups()
    tz = UTC
    if sign in ("+", "-"):
        delta = timedelta(hours=int(tzh or 0), minutes=int(tzm or 0))
        tz = timezone(delta if sign == "+" else -delta)
    return datetime(int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), int(s or 0),
                    tzinfo=tz)


def _xmp_date(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


INFO_TO_XMP = {"/Title": "dc:title", "/Author": "dc:creator", "/Subject": "dc:description",
               "/Keywords": "pdf:Keywords", "/Creator": "xmp:CreatorTool",
               "/Producer": "pdf:Producer", "/CreationDate": "xmp:CreateDate",
               "/ModDate": "xmp:ModifyDate"}
"""6.6.3 (ISO 19005-2 refers to ISO 19005-1 Table 1): Info entries and their XMP equivalents."""


def _info_matches_xmp(doc: pikepdf.Pdf, xmp: dict[str, str], problems: list[str]) -> None:
    info = doc.trailer.get("/Info")
    info = info if isinstance(info, pikepdf.Dictionary) else pikepdf.Dictionary()
    for entry, prop in INFO_TO_XMP.items():
        if entry not in info:
            continue
        value = str(info[entry])
        if prop not in xmp:
            problems.append(f"6.6.3: Info {entry} has no XMP {prop}")
        elif entry in ("/CreationDate", "/ModDate"):
            if _pdf_date(value) is None or _pdf_date(value) != _xmp_date(xmp[prop]):
                problems.append(f"6.6.3: Info {entry} {value} != XMP {prop} {xmp[prop]}")
        elif value != xmp[prop] or (entry == "/Author" and xmp.get(prop + "#count", "1") != "1"):
            problems.append(f"6.6.3: Info {entry} {value!r} != XMP {prop} {xmp[prop]!r}")


def _output_intent(doc: pikepdf.Pdf, problems: list[str]) -> None:
    intents = doc.Root.get("/OutputIntents")
    pdfa = [oi for oi in (intents or []) if oi.get("/S") == "/GTS_PDFA1"]
    if not pdfa:
        problems.append("6.2.3: no GTS_PDFA1 OutputIntent")
        return
    profiles = {oi.DestOutputProfile.objgen for oi in pdfa if "/DestOutputProfile" in oi}
    if len(profiles) != 1:
        problems.append("6.2.3: OutputIntents do not share one DestOutputProfile")
    profile = pdfa[0].get("/DestOutputProfile")
    if not isinstance(profile, pikepdf.Stream):
        problems.append("6.2.3: the OutputIntent has no ICC profile")
        return
    icc = profile.read_bytes()
    if icc[36:40] != b"acsp" or icc[16:20] != b"RGB " or int(profile.get("/N", 0)) != 3:
        problems.append("6.2.3: the OutputIntent's profile is not an RGB ICC profile")
    if icc[12:16] not in (b"mntr", b"prtr"):
        problems.append("6.2.3: the OutputIntent's profile is neither an output nor a monitor class")
    if "sRGB" not in str(pdfa[0].get("/OutputConditionIdentifier", "")) + str(pdfa[0].get("/Info", "")):
        problems.append("6.2.3: the OutputIntent does not name sRGB")


def _font_problems(font: pikepdf.Dictionary, problems: list[str]) -> None:
    name = str(font.get("/BaseFont", font.get("/Subtype")))
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts")
        if not isinstance(descendants, pikepdf.Array) or len(descendants) != 1:
            problems.append(f"6.2.11.3: {name} has no single descendant font")
            return
        cid = descendants[0]
        if "/CIDSystemInfo" not in cid:
            problems.append(f"6.2.11.3.1: {name} has no CIDSystemInfo")
        if cid.get("/Subtype") == "/CIDFontType2" and "/CIDToGIDMap" not in cid:
            problems.append(f"6.2.11.3.2: {name} (CIDFontType2) has no CIDToGIDMap")
        if "/ToUnicode" not in font:
            problems.append(f"6.2.11.7 / PDF/UA 7.21.7: {name} has no ToUnicode CMap")
        descriptor = cid.get("/FontDescriptor")
    else:
        descriptor = font.get("/FontDescriptor")
    if not isinstance(descriptor, pikepdf.Dictionary) or not any(
            k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
        problems.append(f"6.2.11.4.1: font {name} is not embedded")
        return
    if SUBSET.match(name) is None and SUBSET.match(str(descriptor.get("/FontName", ""))):
        problems.append(f"6.2.11.4: subset font {name}: BaseFont and FontName differ")


def _dict_problems(obj: pikepdf.Dictionary, where: str, problems: list[str]) -> None:
    kind = obj.get("/Type")
    if "/JS" in obj:
        problems.append(f"6.5.1: JavaScript in {where}")
    elif obj.get("/S") in FORBIDDEN_ACTIONS:  # no structure type or group shares these names
        problems.append(f"6.5.1: forbidden action {obj.get('/S')} in {where}")
    if kind == "/Font" or "/BaseFont" in obj and "/Subtype" in obj:
        _font_problems(obj, problems)
    if kind == "/ExtGState":
        bm = obj.get("/BM")
        modes = list(bm) if isinstance(bm, pikepdf.Array) else [bm] if bm is not None else []
        if any(str(m) not in BLEND_MODES for m in modes):
            problems.append(f"6.2.10: non-standard blend mode {bm} in {where}")
        if "/TR" in obj or obj.get("/TR2", "/Default") != "/Default":
            problems.append(f"6.2.5: transfer function in {where}")
    if obj.get("/Subtype") == "/Image" and obj.get("/Interpolate") is True:
        problems.append(f"6.2.8: image with /Interpolate true in {where}")
    if obj.get("/Subtype") == "/Image" and ("/Alternates" in obj or "/OPI" in obj):
        problems.append(f"6.2.8: image with /Alternates or /OPI in {where}")
    if obj.get("/ColorSpace") == "/DeviceCMYK" or obj.get("/CS") == "/DeviceCMYK":
        problems.append(f"6.2.4.3: DeviceCMYK with an RGB OutputIntent in {where}")
    if obj.get("/Subtype") == "/Form" and ("/OPI" in obj or "/PS" in obj or obj.get("/Subtype2") == "/PS"):
        problems.append(f"6.2.9: PostScript form XObject in {where}")
    if kind == "/Annot" or "/Rect" in obj and "/Subtype" in obj:
        _annotation_problems(obj, where, problems)


def _annotation_problems(annot: pikepdf.Dictionary, where: str, problems: list[str]) -> None:
    subtype = annot.get("/Subtype")
    if subtype in FORBIDDEN_ANNOTS:
        problems.append(f"6.3.1: forbidden annotation {subtype} in {where}")
    if subtype == "/Popup":
        return
    flags = int(annot.get("/F", 0))
    if not flags & 4 or flags & (1 | 2 | 32 | 256):
        problems.append(f"6.3.2: annotation {subtype} without Print or with Hidden/Invisible/NoView "
                        f"(/F {flags}) in {where}")
    rect = [float(v) for v in annot.get("/Rect", [0, 0, 0, 0])]
    if subtype != "/Link" and rect[0] != rect[2] and rect[1] != rect[3]:
        ap = annot.get("/AP")
        if not isinstance(ap, pikepdf.Dictionary) or "/N" not in ap or set(ap.keys()) - {"/N"}:
            problems.append(f"6.3.3: annotation {subtype} without a sole /N appearance in {where}")
    if "/A" in annot or "/AA" in annot:
        action = annot.get("/A")
        if "/AA" in annot or isinstance(action, pikepdf.Dictionary) and action.get("/S") != "/URI" \
                and action.get("/S") != "/GoTo":
            problems.append(f"6.5.1/6.5.2: annotation action in {where}")


def _streams(doc: pikepdf.Pdf, problems: list[str]) -> None:
    for obj in doc.objects:
        if isinstance(obj, pikepdf.Stream):
            filters = obj.get("/Filter")
            names = list(filters) if isinstance(filters, pikepdf.Array) else [filters]
            if "/LZWDecode" in [str(n) for n in names]:
                problems.append(f"6.1.7.2: LZW-compressed stream {obj.objgen}")
            if "/Crypt" in [str(n) for n in names]:
                problems.append(f"6.1.7.2: Crypt filter on stream {obj.objgen}")
            if any(k in obj for k in ("/F", "/FFilter", "/FDecodeParms")):
                problems.append(f"6.1.7.1: external stream {obj.objgen}")
            _dict_problems(obj.stream_dict, f"stream {obj.objgen}", problems)
            _direct_children(obj.stream_dict, f"stream {obj.objgen}", problems)
        elif isinstance(obj, pikepdf.Dictionary):
            _dict_problems(obj, f"object {obj.objgen}", problems)
            _direct_children(obj, f"object {obj.objgen}", problems)


def _direct_children(obj: pikepdf.Object, where: str, problems: list[str]) -> None:
    """The dictionaries held directly (not by reference) inside ``obj``, e.g. an /OpenAction."""
    items = obj.values() if isinstance(obj, pikepdf.Dictionary) else obj
    for child in items:
        if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect:
            if isinstance(child, pikepdf.Dictionary):
                _dict_problems(child, f"a dictionary in {where}", problems)
            _direct_children(child, where, problems)


def _content_marking(page: pikepdf.Page, number: int, problems: list[str]) -> None:
    """PDF/UA 7.1: every text and painting operator of the page is inside marked content with an
    MCID (real content, in the structure tree) or inside an /Artifact."""
    stack: list[str] = []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BMC", "BDC"):
            tag = str(operands[0])
            props = operands[1] if op == "BDC" else None
            mcid = isinstance(props, pikepdf.Dictionary) and "/MCID" in props
            stack.append("artifact" if tag == "/Artifact" else "mcid" if mcid else "other")
        elif op == "EMC":
            if stack:
                stack.pop()
        elif op in TEXT_SHOWING or op in PAINTING:
            if not any(s in ("artifact", "mcid") for s in stack):
                problems.append(f"PDF/UA 7.1: page {number}: {op} outside tagged content and "
                                "artifacts")
                return


def _structure(doc: pikepdf.Pdf, problems: list[str], *, text: bool) -> None:
    mark = doc.Root.get("/MarkInfo")
    if not isinstance(mark, pikepdf.Dictionary) or mark.get("/Marked") is not True:
        problems.append("PDF/UA 7.1: /MarkInfo /Marked is not true")
    root = doc.Root.get("/StructTreeRoot")
    if not isinstance(root, pikepdf.Dictionary) or "/K" not in root or "/ParentTree" not in root:
        problems.append("PDF/UA 7.1: no structure tree (StructTreeRoot with K and ParentTree)")
        return
    if not str(doc.Root.get("/Lang", "")).strip():
        problems.append("PDF/UA 7.2: catalog /Lang is missing or empty")
    prefs = doc.Root.get("/ViewerPreferences")
    if not isinstance(prefs, pikepdf.Dictionary) or prefs.get("/DisplayDocTitle") is not True:
        problems.append("PDF/UA 7.1: /ViewerPreferences /DisplayDocTitle is not true")
    tags: list[str] = []
    stack, seen = [root.K], 0
    while stack and seen < 100_000:
        node = stack.pop()
        seen += 1
        if isinstance(node, pikepdf.Array):
            stack.extend(reversed(list(node)))
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            tags.append(str(node.S))
            if node.S == "/Figure" and not str(node.get("/Alt", "")).strip():
                problems.append("PDF/UA 7.3: a Figure without /Alt text")
            if "/K" in node:
                stack.append(node.K)
    if text and not any(re.fullmatch(r"/H\d?", t) for t in tags):
        problems.append("PDF/UA 7.4: no heading in the structure tree")
    if text and "/P" not in tags:
        problems.append("PDF/UA 7.1: no paragraph in the structure tree")
    for number, page in enumerate(doc.pages, start=1):
        if "/StructParents" not in page.obj:
            problems.append(f"PDF/UA 7.1: page {number} has no /StructParents")
        _content_marking(page, number, problems)


def read_xmp(pdf: bytes) -> dict[str, str]:
    """The simple XMP properties of ``pdf`` (see :func:`xmp_values`); empty when it has none."""
    problems: list[str] = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        root = _xmp(doc, problems)
    return {} if root is None else xmp_values(root)


def pdfa_problems(pdf: bytes, *, part: int = 2, conformance: str = "B",
                  tagged: bool = True, text: bool = True) -> list[str]:
    """What keeps ``pdf`` from being PDF/A-``part`` level ``conformance`` (and, when ``tagged``,
    a tagged PDF/UA-minded file, whose structure has headings and paragraphs when it has
    ``text``; a public copy is pictures only): one line per problem, empty when none was found."""
    problems: list[str] = []
    head = pdf[:64]
    if re.match(rb"%PDF-1\.[0-7]\r?\n?%[\x80-\xff]{4}", head.replace(b"\r\n", b"\n")) is None:
        problems.append("6.1.2: header is not %PDF-1.n followed by a comment of 4 bytes > 127")
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        if doc.is_encrypted or "/Encrypt" in doc.trailer:
            problems.append("6.1.3: the file is encrypted")
        if "/ID" not in doc.trailer:
            problems.append("6.1.3: the trailer has no /ID")
        root = doc.Root
        names = root.get("/Names")
        if isinstance(names, pikepdf.Dictionary):
            if "/JavaScript" in names:
                problems.append("6.5.1: JavaScript name tree")
            if "/EmbeddedFiles" in names and part < 3:
                problems.append("6.8: embedded files in PDF/A-2b (need PDF/A-3)")
        if "/AA" in root:
            problems.append("6.5.2: catalog additional actions (/AA)")
        for page in doc.pages:
            if "/AA" in page.obj:
                problems.append("6.5.2: page additional actions (/AA)")
        acro = root.get("/AcroForm")
        if isinstance(acro, pikepdf.Dictionary) and (acro.get("/NeedAppearances") is True
                                                       or "/XFA" in acro):
            problems.append("6.4.1: AcroForm with NeedAppearances true or XFA")
        _output_intent(doc, problems)
        xmp_root = _xmp(doc, problems)
        if xmp_root is not None:
            xmp = xmp_values(xmp_root)
            if xmp.get("pdfaid:part") != str(part) or xmp.get("pdfaid:conformance") != conformance:
                problems.append(f"6.6.4: XMP pdfaid part/conformance is "
                                f"{xmp.get('pdfaid:part')}/{xmp.get('pdfaid:conformance')}, "
                                f"not {part}/{conformance}")
            _info_matches_xmp(doc, xmp, problems)
        _streams(doc, problems)
        if tagged:
            _structure(doc, problems, text=text)
    return problems
