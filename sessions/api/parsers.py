"""The API's JSON parser: DRF's, with the limits of `sessions.jsontext` (nesting depth, NUL,
non-finite numbers), so every JSON endpoint answers a malformed body with 400 `invalid`."""

import codecs

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.settings import api_settings

from sessions.jsontext import loads


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            text = codecs.getreader(get_encoding(parser_context or {}))(stream).read()
            return loads(text, allow_nan=not api_settings.STRICT_JSON)
        except ValueError as exc:  # UnicodeDecodeError, JSONDecodeError, UnsafeJSON
            raise ParseError(f"JSON parse error - {exc}") from None
