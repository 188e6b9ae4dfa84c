"""File-name and file-type rules (SDK spec §2.2, §2.3, §5-UP, §5-DL; web spec §1.6, §6 `get`)."""

import io
import zipfile

import pytest

from citeflow.services.files import (
    auto_parser,
    content_disposition,
    content_type,
    dedupe_name,
    detect_type,
    file_type,
    sniff,
    suffix,
)

# The §2.3 table, typed out again here so the module's own lists are checked against the spec.
SPEC_EXTENSIONS = {
    "pdf": "pdf",
    "doc": "eml doc docx ppt pptx yml xml htm json jsonl ldjson csv txt ini xls xlsx wps rtf hlp pages "
    "numbers key md py js java c cpp h php go ts sh cs kt html sql",
    "aural": "wav flac ape alac wavpack wv mp3 aac ogg vorbis opus",
    "visual": "jpg jpeg png tif gif pcx tga exif fpx svg psd cdr pcd dxf ufo eps ai raw webp avif apng "
    "icon ico mpg mpeg avi rm rmvb mov wmv asf dat asx wvx mpe mpa mp4",
}
EVERY_EXTENSION = [(ext, kind) for kind, exts in SPEC_EXTENSIONS.items() for ext in exts.split()]


# --- file_type -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("ext", "kind"), EVERY_EXTENSION)
def test_every_spec_extension_has_its_type_in_any_case(ext, kind):
    assert file_type(f"file.{ext}") == kind
    assert file_type(f"FILE.{ext.upper()}") == kind
    assert file_type(f"My Report v2.{ext.capitalize()}") == kind


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("report.PDF", "pdf"),
        ("archive.tar.gz", "other"),
        ("noext", "other"),
        ("", "other"),
        (".hidden", "other"),
        (".txt", "doc"),  # `.*` matches nothing, so a bare extension counts
        ("a..txt", "doc"),
        ("a.exe.txt", "doc"),
        ("a.txt.exe", "other"),
        ("a.txt ", "other"),
        ("a.", "other"),
        ("txt", "other"),
        ("drawing.wmf", "other"),  # RAGFlow lists `WMF` in upper case; lower-cased names never match it
        ("drawing.WMF", "other"),
        ("clip.ts", "doc"),  # TypeScript, not an MPEG transport stream, in v0.20.5
        ("scan.tiff", "other"),  # only `tif` is listed
        ("dir/notes.md", "doc"),
        ("a.pdf\n", "pdf"),  # `$` also matches before one trailing newline
        ("x\ny.pdf", "other"),  # `.*` does not cross a newline
    ],
)
def test_file_type_follows_ragflows_regexes(name, kind):
    assert file_type(name) == kind


# --- suffix --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.PDF", "PDF"),
        ("a.txt", "txt"),
        ("archive.tar.gz", "gz"),
        ("noext", ""),
        (".hidden", ""),
        ("a.", ""),
        ("..", ""),
        ("", ""),
        (".txt", ""),  # a leading dot starts a hidden name, not an extension
        ("dir/a.Md", "Md"),
        ("a.b/c", ""),  # only the last path component counts
        ("报告.Docx", "Docx"),
    ],
)
def test_suffix_is_the_last_extension_without_dot_in_original_case(name, expected):
    assert suffix(name) == expected


# --- auto_parser ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("photo.png", "visual", "picture"),
        ("clip.mp4", "visual", "picture"),
        ("talk.mp3", "aural", "audio"),
        ("slides.ppt", "doc", "presentation"),
        ("slides.pptx", "doc", "presentation"),
        ("slides.pages", "doc", "presentation"),
        ("slides.PPTX", "doc", "qa"),  # the name test is case-sensitive
        ("mail.eml", "doc", "email"),
        ("mail.EML", "doc", "qa"),
        ("slides.pptx.txt", "doc", "qa"),
        ("notes.txt", "doc", "qa"),
        ("paper.pdf", "pdf", "qa"),
        ("odd.ppt", "visual", "picture"),  # the type is checked before the name
    ],
)
def test_auto_parser(name, kind, expected):
    assert auto_parser(name, kind, "qa") == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.png", "picture"),
        ("a.wav", "audio"),
        ("a.pptx", "presentation"),
        ("a.eml", "email"),
        ("a.docx", "naive"),
        ("a.pdf", "naive"),
    ],
)
def test_auto_parser_with_the_derived_type(name, expected):
    assert auto_parser(name, file_type(name), "naive") == expected


# --- dedupe_name ---------------------------------------------------------------------------------


def first_free(name: str, taken: int) -> str:
    """The name dedupe_name picks when the first `taken` candidates it asks about are in use."""
    asked: list[str] = []

    def is_taken(candidate: str) -> bool:
        asked.append(candidate)
        return len(asked) <= taken

    return dedupe_name(name, is_taken)


@pytest.mark.parametrize(
    ("name", "chain"),
    [
        ("ragflow_test.txt", ["ragflow_test(1).txt", "ragflow_test(2).txt", "ragflow_test(3).txt"]),
        ("a(1).txt", ["a(2).txt", "a(3).txt", "a(4).txt"]),
        ("a (3).txt", ["a(4).txt", "a(5).txt", "a(6).txt"]),
        ("a\t (3).txt", ["a(4).txt", "a(5).txt", "a(6).txt"]),
        ("a .txt", ["a (1).txt", "a(2).txt", "a(3).txt"]),  # the space goes only once a counter follows it
        ("a(0).txt", ["a(1).txt", "a(2).txt", "a(3).txt"]),
        ("a(1)(2).txt", ["a(1)(3).txt", "a(1)(4).txt", "a(1)(5).txt"]),
        ("a(b).txt", ["a(b)(1).txt", "a(b)(2).txt", "a(b)(3).txt"]),
        ("(5).txt", ["(6).txt", "(7).txt", "(8).txt"]),
        ("noext", ["noext(1)", "noext(2)", "noext(3)"]),
        ("x (1)", ["x(2)", "x(3)", "x(4)"]),
        (".hidden", [".hidden(1)", ".hidden(2)", ".hidden(3)"]),
        ("archive.tar.gz", ["archive.tar(1).gz", "archive.tar(2).gz", "archive.tar(3).gz"]),
        ("v1.2.final.pdf", ["v1.2.final(1).pdf", "v1.2.final(2).pdf", "v1.2.final(3).pdf"]),
        ("a.", ["a.(1)", "a(1).(1)", "a(2).(1)"]),  # a trailing dot is no extension, until it is
        ("dir/a.txt", ["a(1).txt", "a(2).txt", "a(3).txt"]),  # pathlib keeps only the last component
        ("", ["(1)", "(2)", "(3)"]),
        ("报告(9).docx", ["报告(10).docx", "报告(11).docx", "报告(12).docx"]),
        ("a(\u0661).txt", ["a(2).txt", "a(3).txt", "a(4).txt"]),  # `\d` takes any Unicode digit
    ],
)
def test_dedupe_name_chains_like_ragflow(name, chain):
    assert first_free(name, 0) == name
    assert [first_free(name, n) for n in (1, 2, 3)] == chain


def test_dedupe_name_asks_about_each_candidate_in_order():
    asked: list[str] = []
    taken = {"a.txt", "a(1).txt"}

    def is_taken(candidate: str) -> bool:
        asked.append(candidate)
        return candidate in taken

    assert dedupe_name("a.txt", is_taken) == "a(2).txt"
    assert asked == ["a.txt", "a(1).txt", "a(2).txt"]


def test_dedupe_name_gives_up_after_1000_questions():
    asked: list[str] = []

    def always(candidate: str) -> bool:
        asked.append(candidate)
        return True

    with pytest.raises(
        ValueError, match=r"^Failed to generate unique name within 1000 attempts\. Original: a\.txt$"
    ):
        dedupe_name("a.txt", always)
    assert len(asked) == 1000
    assert asked[0] == "a.txt"
    assert asked[-1] == "a(999).txt"


def test_dedupe_name_takes_a_smaller_budget():
    asked: list[str] = []

    def always(candidate: str) -> bool:
        asked.append(candidate)
        return True

    with pytest.raises(ValueError, match="within 3 attempts"):
        dedupe_name("a.txt", always, attempts=3)
    assert asked == ["a.txt", "a(1).txt", "a(2).txt"]


def test_dedupe_name_finds_the_last_free_slot():
    free = "a(999).txt"
    assert dedupe_name("a.txt", lambda candidate: candidate != free) == free


# --- content_type --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("photo.png", "visual", "image/png"),
        ("photo.jpg", "visual", "image/jpeg"),
        ("PHOTO.JPEG", "visual", "image/jpeg"),
        ("logo.svg", "visual", "image/svg+xml"),
        ("icon.ico", "visual", "image/x-icon"),
        ("paper.pdf", "pdf", "application/pdf"),
        ("notes.txt", "doc", "text/plain"),
        ("main.py", "doc", "text/plain"),
        ("readme.md", "doc", "text/markdown"),
        ("page.html", "doc", "text/html"),
        ("data.json", "doc", "application/json"),
        ("data.csv", "doc", "text/csv"),
        ("letter.docx", "doc", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("letter.doc", "doc", "application/msword"),
        ("sheet.xlsx", "doc", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("sheet.xls", "doc", "application/vnd.ms-excel"),
        ("slides.pptx", "doc", "application/pptx"),  # not in v0.20.5's map
        ("mail.eml", "doc", "application/eml"),
        ("talk.mp3", "aural", "application/mp3"),
        ("clip.mp4", "visual", "image/mp4"),
        ("art.psd", "visual", "image/psd"),
        ("photo.png", "doc", "image/png"),  # the map wins whatever the type
        ("archive.tar.gz", "other", "application/gz"),
        (".hidden", "other", "application/hidden"),
        ("noext", "doc", "application/octet-stream"),  # RAGFlow: Flask's text/html; see content_type
        ("trailing.", "doc", "application/octet-stream"),
    ],
)
def test_content_type(name, kind, expected):
    assert content_type(name, kind) == expected


def test_content_type_refuses_a_newline_in_the_extension_like_werkzeug():
    with pytest.raises(ValueError, match=r"^Header values must not contain newline characters\.$"):
        content_type("a.txt\n", "doc")


# --- content_disposition (expected values from Werkzeug 3.1's send_file) -----------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "attachment; filename=report.pdf"),
        ("a'b.txt", "attachment; filename=a'b.txt"),
        ("%41.txt", "attachment; filename=%41.txt"),
        ("my report.pdf", 'attachment; filename="my report.pdf"'),
        ('say "hi".txt', 'attachment; filename="say \\"hi\\".txt"'),
        ("a;b.txt", 'attachment; filename="a;b.txt"'),
        ("a,b.txt", 'attachment; filename="a,b.txt"'),
        ("a=b.txt", 'attachment; filename="a=b.txt"'),
        ("x(1).txt", 'attachment; filename="x(1).txt"'),
        ("a/b.txt", 'attachment; filename="a/b.txt"'),
        ("back\\slash.txt", 'attachment; filename="back\\\\slash.txt"'),
        ("tab\there.txt", 'attachment; filename="tab\there.txt"'),
        ("", 'attachment; filename=""'),
        ("résumé.pdf", "attachment; filename=resume.pdf; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"),
        ("报告.txt", "attachment; filename=.txt; filename*=UTF-8''%E6%8A%A5%E5%91%8A.txt"),
        ("报告", "attachment; filename=\"\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A"),
        ("😀.png", "attachment; filename=.png; filename*=UTF-8''%F0%9F%98%80.png"),
        ("ﬁle.txt", "attachment; filename=file.txt; filename*=UTF-8''%EF%AC%81le.txt"),
        ("é'.txt", "attachment; filename=e'.txt; filename*=UTF-8''%C3%A9%27.txt"),
        ("naïve file.txt", "attachment; filename=\"naive file.txt\"; filename*=UTF-8''na%C3%AFve%20file.txt"),
        (
            'Ü ber "q".txt',
            'attachment; filename="U ber \\"q\\".txt"; filename*=UTF-8\'\'%C3%9C%20ber%20%22q%22.txt',
        ),
        ("é\\.txt", "attachment; filename=\"e\\\\.txt\"; filename*=UTF-8''%C3%A9%5C.txt"),
    ],
)
def test_content_disposition_matches_werkzeug(name, expected):
    assert content_disposition(name) == expected


@pytest.mark.parametrize("name", ["a\nb.txt", "a\rb.txt", "é\r\n.txt"])
def test_content_disposition_refuses_newlines_like_werkzeug(name):
    with pytest.raises(ValueError, match=r"^Header values must not contain newline characters\.$"):
        content_disposition(name)


def test_content_disposition_refuses_lone_surrogates():
    with pytest.raises(UnicodeEncodeError):
        content_disposition("a\udc80.txt")


# --- sniff ---------------------------------------------------------------------------------------


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "jpeg"),
        (b"GIF87a\x01\x00", "gif"),
        (b"GIF89a\x01\x00", "gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "webp"),
        (zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}), "zip"),
        (zip_bytes({}), "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "ole"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        (b"From: a@example.com\r\nSubject: hi\r\n\r\n", None),
        (b"plain text that mentions %PDF-1.4", None),
        (b"%PD", None),
        (b"", None),
    ],
)
def test_sniff(head, expected):
    assert sniff(head) == expected


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("report.pdf", b"anything", ("pdf", "pdf")),
        ("notes.TXT", b"%PDF-1.7", ("doc", "TXT")),
        ("scan", b"%PDF-1.4\n", ("pdf", "pdf")),
        ("photo", b"\x89PNG\r\n\x1a\n", ("visual", "png")),
        ("photo.bin", b"\xff\xd8\xff\xe0", ("visual", "jpg")),
        ("archive", b"PK\x03\x04", ("other", "")),
        ("tool.exe", b"MZ\x90\x00", ("other", "exe")),
        ("empty", b"", ("other", "")),
    ],
)
def test_detect_type_trusts_the_extension_first_then_the_content(name, head, expected):
    assert detect_type(name, head) == expected
