"""E-mail files: headers, plain and HTML bodies, attachments (pipeline spec §3, `email`)."""

from email.message import EmailMessage

import pytest

from citeflow.ingest.parsers.mail import mail_parts
from tests.conftest import SHARED

CORPUS_EML = SHARED / "corpus" / "eml"


def message() -> bytes:
    mail = EmailMessage()
    mail["From"] = "Zoë <zoe@example.com>"
    mail["Subject"] = "Quarterly numbers"
    mail.set_content("Plain body with the quokka figures.")
    mail.add_alternative("<html><body><p>HTML body</p><script>x()</script></body></html>", subtype="html")
    mail.add_attachment(b"attached text", maintype="text", subtype="plain", filename="notes.txt")
    return mail.as_bytes()


def test_headers_bodies_and_attachments():
    parts = mail_parts(message())
    text = "".join(parts.sections)
    assert "From: Zoë <zoe@example.com>" in text
    assert "Subject: Quarterly numbers" in text
    assert "Plain body with the quokka figures." in text
    assert "HTML body" in parts.sections[-1]
    assert "x()" not in text
    assert parts.attachments == [("notes.txt", b"attached text")]


def test_a_wrong_charset_label_does_not_stop_the_body():
    raw = b"Subject: s\nContent-Type: text/plain; charset=no-such-charset\n\ncaf\xe9 body\n"
    assert "body" in "".join(mail_parts(raw).sections)
    assert mail_parts(b"").sections == []


@pytest.mark.skipif(not CORPUS_EML.is_dir(), reason="the shared corpus is not here")
def test_corpus_mails():
    attachments = {
        "fake-email-attachment.eml": ["fake-attachment.txt"],
        "mime-different-plain-html.eml": [],
        "real-gmail-iso-8859-1.eml": ["google.png", "profilephoto.png"],
    }
    for name, files in attachments.items():
        parts = mail_parts((CORPUS_EML / name).read_bytes())
        assert parts.sections, name
        assert [n for n, _ in parts.attachments] == files, name
