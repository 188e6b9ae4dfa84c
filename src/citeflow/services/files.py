"""Rules about uploaded file names and types, reproducing RAGFlow v0.20.5 down to its regexes.

Sources: `api/utils/file_utils.py::filename_type`, `api/db/services/__init__.py::duplicate_name`,
`FileService.get_parser`/`upload_document`, `api/apps/document_app.py::get` with
`api/utils/web_utils.py::CONTENT_TYPE_MAP`, and Werkzeug 3's `send_file` for download headers.
Names are treated as RAGFlow does on Linux: a `/` in a name separates "directories" wherever
RAGFlow goes through `pathlib`.
"""

import re
import unicodedata
from collections.abc import Callable
from pathlib import PurePosixPath
from urllib.parse import quote

MAX_NAME_BYTES = 255  # document and file names, counted in UTF-8 bytes
MAX_DEDUPE_ATTEMPTS = 1000  # RAGFlow's `duplicate_name` MAX_RETRIES


def _kind_pattern(extensions: str) -> re.Pattern[str]:
    # RAGFlow's form: `re.match(r".*\.(a|b)$", lowered)`. `.` stops at a newline, `$` allows one after.
    return re.compile(rf".*\.({'|'.join(extensions.split())})$")


# Checked in this order. RAGFlow's visual list also has an upper-case `WMF`, which can never match a
# lower-cased name, so it is left out.
_KINDS = (
    ("pdf", _kind_pattern("pdf")),
    (
        "doc",
        _kind_pattern(
            "eml doc docx ppt pptx yml xml htm json jsonl ldjson csv txt ini xls xlsx wps rtf hlp pages "
            "numbers key md py js java c cpp h php go ts sh cs kt html sql"
        ),
    ),
    ("aural", _kind_pattern("wav flac ape alac wavpack wv mp3 aac ogg vorbis opus")),
    (
        "visual",
        _kind_pattern(
            "jpg jpeg png tif gif pcx tga exif fpx svg psd cdr pcd dxf ufo eps ai raw webp avif apng "
            "icon ico mpg mpeg avi rm rmvb mov wmv asf dat asx wvx mpe mpa mp4"
        ),
    ),
)


def file_type(name: str) -> str:
    """The document `type` RAGFlow derives from a name: pdf, doc, aural, visual, or other (refused)."""
    lowered = name.lower()
    for kind, pattern in _KINDS:
        if pattern.match(lowered):
            return kind
    return "other"


def _stem_and_suffix(name: str) -> tuple[str, str]:
    # Python 3.10's PurePath.stem/.suffix (RAGFlow's runtime), spelled out so newer Pythons agree:
    # the last path component, split at its last dot unless that dot leads or trails it.
    base = PurePosixPath(name).name
    dot = base.rfind(".")
    if 0 < dot < len(base) - 1:
        return base[:dot], base[dot:]
    return base, ""


def suffix(name: str) -> str:
    """The stored document `suffix`: `Path(name).suffix` without the dot, original case, "" if none."""
    return _stem_and_suffix(name)[1][1:]


_PRESENTATION = re.compile(r"\.(ppt|pptx|pages)$")
_EMAIL = re.compile(r"\.(eml)$")


def auto_parser(name: str, kind: str, default: str) -> str:
    """The chunk method an upload gets: by type, then by case-sensitive name ending, else `default`."""
    if kind == "visual":
        return "picture"
    if kind == "aural":
        return "audio"
    if _PRESENTATION.search(name):
        return "presentation"
    if _EMAIL.search(name):
        return "email"
    return default


_COUNTER = re.compile(r"^(.*?)\((\d+)\)$")


def dedupe_name(name: str, taken: Callable[[str], bool], attempts: int = MAX_DEDUPE_ATTEMPTS) -> str:
    """`name`, or the first free `stem(N)suffix` after it, as RAGFlow's `duplicate_name` picks them.

    `taken` is asked at most `attempts` times. A trailing `(N)` on the stem (spaces before it dropped)
    is counted up rather than nested: `a (3).txt` -> `a(4).txt`. Renamed candidates keep only the
    last path component of the name, as `PurePath.stem` does in RAGFlow.
    """
    candidate = name
    for _ in range(attempts):
        if not taken(candidate):
            return candidate
        stem, dot_suffix = _stem_and_suffix(candidate)
        counter = 1
        match = _COUNTER.search(stem)
        if match:
            stem, counter = match.group(1).rstrip(), int(match.group(2)) + 1
        candidate = f"{stem}({counter}){dot_suffix}"
    # RAGFlow's wording, which upload errors repeat after the file name.
    raise ValueError(f"Failed to generate unique name within {attempts} attempts. Original: {name}")


_CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "pdf": "application/pdf",
    "csv": "text/csv",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    **dict.fromkeys(
        ("txt", "py", "js", "java", "c", "cpp", "h", "php", "go", "ts", "sh", "cs", "kt", "sql"), "text/plain"
    ),
    "md": "text/markdown",
    "markdown": "text/markdown",
    "htm": "text/html",
    "html": "text/html",
    "json": "application/json",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tiff": "image/tiff",
    "tif": "image/tiff",
    "webp": "image/webp",
    "svg": "image/svg+xml",
    "ico": "image/x-icon",
    "avif": "image/avif",
    "heic": "image/heic",
}
_LAST_EXTENSION = re.compile(r"\.([^.]+)$")
_NEWLINE = re.compile(r"[\r\n]")


def _header_value(value: str) -> str:
    # Werkzeug's Headers.set check, whose ValueError RAGFlow reports as a code-100 repr.
    if _NEWLINE.search(value):
        raise ValueError("Header values must not contain newline characters.")
    return value


def content_type(name: str, kind: str) -> str:
    """The Content-Type `/v1/document/get/<id>` sends for a stored document.

    The lower-cased text after the last dot is looked up in RAGFlow's map, else becomes `image/<ext>`
    for visual documents and `application/<ext>` for the rest. Without an extension RAGFlow sets
    nothing and Flask sends `text/html; charset=utf-8`; we answer `application/octet-stream` instead,
    so an extension-less blob is never rendered as HTML (callers may refine it with `sniff`). An
    extension ending in a newline raises ValueError, as Werkzeug does when RAGFlow sets the header.
    """
    match = _LAST_EXTENSION.search(name.lower())
    if match is None:
        return "application/octet-stream"
    ext = match.group(1)
    return _header_value(_CONTENT_TYPES.get(ext, f"{'image' if kind == 'visual' else 'application'}/{ext}"))


#: Control characters other than tab, CR and LF (those two raise, as in Werkzeug).
_HEADER_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TOKEN_CHARS = frozenset("!#$%&'*+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz|~")


def _quote_header_value(value: str) -> str:
    # werkzeug.http.quote_header_value: tokens bare, anything else quoted with \ and " escaped.
    if not value:
        return '""'
    if _TOKEN_CHARS.issuperset(value):
        return value
    return '"{}"'.format(value.replace("\\", "\\\\").replace('"', '\\"'))


def content_disposition(name: str) -> str:
    """What Werkzeug 3's `send_file(as_attachment=True, download_name=name)` sends as Content-Disposition.

    Non-ASCII names get an ASCII fallback (NFKD, non-ASCII dropped, possibly empty) plus an RFC 5987
    `filename*`. Like Werkzeug, raises ValueError for a name with CR or LF, and UnicodeEncodeError
    (a ValueError) for a non-ASCII name that is not valid Unicode.
    """
    if _HEADER_UNSAFE.search(name):
        # Werkzeug would send these raw and HTTP servers refuse them; they go percent-encoded only.
        simple = (
            _HEADER_UNSAFE.sub("", unicodedata.normalize("NFKD", name)).encode("ascii", "ignore").decode()
        )
        value = f"attachment; filename={_quote_header_value(simple)}; filename*=UTF-8''{quote(name, safe='')}"
    elif name.isascii():
        value = f"attachment; filename={_quote_header_value(name)}"
    else:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        quoted = quote(name, safe="!#$&+-.^_`|~")
        value = f"attachment; filename={_quote_header_value(simple)}; filename*=UTF-8''{quoted}"
    return _header_value(value)


def sniff(head: bytes) -> str | None:
    """The format the first bytes of a file show, for logs and for typing extension-less blobs.

    Only signatures that cannot be mistaken for text: pdf, png, jpeg, gif, webp, zip (which includes
    OOXML such as docx/xlsx/pptx) and ole (legacy Office: doc, xls, ppt, msg). None otherwise.
    """
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    return None


#: Formats recognised by content alone, with the type and suffix a document of that format gets.
_SNIFFED_TYPES = {
    "pdf": ("pdf", "pdf"),
    "png": ("visual", "png"),
    "jpeg": ("visual", "jpg"),
    "gif": ("visual", "gif"),
    "webp": ("visual", "webp"),
}


def detect_type(name: str, head: bytes) -> tuple[str, str]:
    """`(type, suffix)` of an upload: from the extension by RAGFlow's table, or, when the extension
    says nothing RAGFlow accepts, from the content (a PDF or image saved without its extension)."""
    kind = file_type(name)
    if kind != "other":
        return kind, suffix(name)
    return _SNIFFED_TYPES.get(sniff(head) or "", ("other", suffix(name)))
