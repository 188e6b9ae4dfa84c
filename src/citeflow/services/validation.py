"""Rules for text that users send: lengths, and no characters a database cannot store."""

from citeflow.core.errors import InvalidArgument


def clean_text(value: object, field: str, *, max_len: int, min_len: int = 0, strip: bool = True) -> str:
    """`value` as a storable string, or an InvalidArgument that names the field and the rule."""
    if not isinstance(value, str):
        raise InvalidArgument(f"`{field}` must be a string.", data=None)
    text = value.strip() if strip else value
    if "\x00" in text:
        raise InvalidArgument(f"`{field}` must not contain NUL characters.", data=None)
    if not is_unicode(text):
        raise InvalidArgument(f"`{field}` is not valid Unicode text.", data=None)
    if len(text) < min_len:
        raise InvalidArgument(f"`{field}` can't be empty.", data=None)
    if len(text) > max_len:
        raise InvalidArgument(f"`{field}` is {len(text)} characters long; the limit is {max_len}.", data=None)
    return text


def is_unicode(text: str) -> bool:
    """False for text with lone surrogates, which JSON can carry but UTF-8 (and so a database) cannot."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_storable(text: str) -> bool:
    """Whether a database column could hold `text`: valid Unicode without NUL characters."""
    return "\x00" not in text and is_unicode(text)
