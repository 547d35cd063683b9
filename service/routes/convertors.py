"""The `id` path convertor: a positive database identifier that fits a bigint.

Starlette's `int` convertor would pass 99999999999999999999 to PostgreSQL and fail there;
`id` refuses it at routing (404), like any other address that names nothing.
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor


class IdConvertor(Convertor[int]):
    regex = "[1-9][0-9]{0,17}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", IdConvertor())
