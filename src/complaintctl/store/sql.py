"""SQL pieces the listings and the bulk writer share."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from datetime import datetime
from typing import Any, cast

from sqlalchemy import BindParameter, Select, TextClause, bindparam
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError

from complaintctl.store.types import UTCDateTime

# A SELECT of any columns: the listings' and lookups' statements.
AnySelect = Select[*tuple[Any, ...]]


def list_parameter(name: str) -> BindParameter[Any]:
    """A parameter standing for a list (`IN`), given at execution: SQLAlchemy then need not
    make a parameter of each value as it builds the statement."""
    return bindparam(name, expanding=True)


def driver_rows(
    connection: Connection, statement: AnySelect | TextClause, chunk: int
) -> Iterator[Sequence[tuple[Any, ...]]]:
    """The rows of `statement` as the database driver gives them, `chunk` at a time, read
    through the driver's own cursor (a server-side one on PostgreSQL): no column type turns
    a value into a Python one, and no row object is made for each row, which for a read of
    hundreds of thousands of rows costs more than the read. The caller converts what it
    needs (an instant: `instant_reader`). Its parameters are bound as SQLAlchemy would."""
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    values = compiled.construct_params()
    bound: dict[str, Any] = {}
    for name, value in values.items():
        bind = compiled.binds.get(name)
        process = bind.type.bind_processor(dialect) if bind is not None else None
        bound[name] = process(value) if process is not None else value
    parameters: Any = (
        tuple(bound[name] for name in compiled.positiontup or ()) if compiled.positional else bound
    )
    sql = str(compiled)
    raw = connection.connection.dbapi_connection
    assert raw is not None  # a connection in use holds one
    # A named cursor is psycopg's server-side one: the rows are sent as they are fetched.
    cursor = raw.cursor(name="driver_rows") if dialect.name == "postgresql" else raw.cursor()
    base = dialect.loaded_dbapi.Error
    try:
        cursor.execute(sql, parameters)
        while rows := cursor.fetchmany(chunk):
            yield rows
    except base as err:  # as SQLAlchemy would have raised it (the store is unavailable)
        raise DBAPIError.instance(sql, parameters, err, base, dialect=dialect) from err
    finally:
        # A reader that stopped early (a damaged entry refused) is closed when it is collected,
        # by which time the command may have closed the connection, and the cursor with it.
        with suppress(base):
            cursor.close()


def instant_reader(dialect: Dialect) -> Callable[[Any], datetime]:
    """What turns an instant of a column that holds no NULL, as the driver gives it
    (`driver_rows`), into the one a query through SQLAlchemy gives: UTCDateTime's own
    conversion."""
    process = UTCDateTime().result_processor(dialect, None)
    assert process is not None  # both dialects convert (see UTCDateTime)
    return cast("Callable[[Any], datetime]", process)
