"""E-mail files (.eml; pipeline spec §3, `email` method): the header lines (`Name: value`), the
plain-text bodies cut like text files, the HTML bodies' text, and the attachments, which the
caller parses as documents of their own and appends."""

import email
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message

from citeflow.ingest.parsers.html import html_parts
from citeflow.ingest.parsers.text import decode_text, text_sections


@dataclass
class MailParts:
    sections: list[str] = field(default_factory=list)
    #: (file name, bytes) of each attachment.
    attachments: list[tuple[str, bytes]] = field(default_factory=list)


def mail_parts(data: bytes, chunk_token_num: int = 128) -> MailParts:
    message = email.message_from_bytes(data, policy=policy.default)
    plain = [f"{name}: {value}" for name, value in message.items()]
    html: list[bytes] = []
    for part in _bodies(message):
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        if part.get_content_type() == "text/html":
            html.append(payload)
        else:
            plain.append(_decoded(payload, part.get_content_charset()))
    parts = MailParts(text_sections("\n".join(plain), chunk_token_num))
    if html:
        page = html_parts(b"\n".join(html), chunk_token_num)
        parts.sections += page.sections + page.tables
    if isinstance(message, EmailMessage):
        for attachment in message.iter_attachments():
            payload = attachment.get_payload(decode=True)
            if isinstance(payload, bytes):
                parts.attachments.append((attachment.get_filename() or "attachment", payload))
    return parts


def _bodies(message: Message) -> list[Message]:
    """The text/plain and text/html parts that are not attachments, in order."""
    found = []
    for part in message.walk():
        if (
            part.get_content_type() in ("text/plain", "text/html")
            and part.get_content_disposition() != "attachment"
        ):
            found.append(part)
    return found


def _decoded(payload: bytes, charset: str | None) -> str:
    if charset:
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(payload)
