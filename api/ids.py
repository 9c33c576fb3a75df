"""Object ids in the API's paths: digits a database id column can hold, no more (a longer
number would overflow the column: an error, not a 404). The schema says the same
(``ID_PARAMETER``), so clients and schemathesis know which ids are worth asking for."""

from drf_spectacular.utils import OpenApiParameter

MAX_DIGITS = 18  # below 2**63: a BIGINT on PostgreSQL, SQLite's INTEGER


class ObjectIdConverter:
    regex = f"[0-9]{{1,{MAX_DIGITS}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


ID_PARAMETER = OpenApiParameter(
    "id",
    {"type": "integer", "minimum": 0, "maximum": 10**MAX_DIGITS - 1},
    OpenApiParameter.PATH,
)
