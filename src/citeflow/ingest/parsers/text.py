"""Plain text and code files (pipeline spec §4.1): bytes decoded whatever their encoding, then
cut at the delimiters into sections of about `chunk_token_num` tokens for `naive_merge`."""

import codecs

import charset_normalizer

from citeflow.ingest.chunkers.merge import splitter
from citeflow.llm import count_tokens

#: The delimiters of this step when `parser_config.delimiter` names none: newline, `!`, `?`,
#: `;` and the ideographic full stop and full-width semicolon, exclamation and question marks.
TEXT_DELIMITER = "\n!?;\u3002\uff1b\uff01\uff1f"
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_text(data: bytes) -> str:
    """The text of `data`: by its byte-order mark, else as UTF-8, else in the encoding
    charset-normalizer finds most likely (cp932, GBK, cp1252…), else as Latin-1, which decodes
    any bytes, so undecodable input gives mojibake rather than an error."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    return str(best) if best is not None else data.decode("latin-1")


def text_sections(text: str, chunk_token_num: int = 128, delimiter: str = TEXT_DELIMITER) -> list[str]:
    """RAGFlow's txt step: the text cut at the delimiters (dropped, the pieces glued with no
    separator) into sections that each grow until they exceed `chunk_token_num` tokens."""
    split_at = splitter(delimiter or TEXT_DELIMITER)
    pieces = split_at.split(text) if split_at is not None else [text]
    sections = [""]
    tokens = [0]
    for piece in pieces:
        if not piece:
            continue
        count = count_tokens(piece)
        if tokens[-1] > chunk_token_num:
            sections.append(piece)
            tokens.append(count)
        else:
            sections[-1] += piece
            tokens[-1] += count
    return [s for s in sections if s]
