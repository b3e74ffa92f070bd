"""Hints for the query planner where its statistics mislead it.

SQLite keeps one average per index ("rows per value"), so it believes ``status IN (open
statuses)`` matches four sevenths of a million orders when it matches 4%, and that one rep's
customers are a tenth of the book when one rep may own a fifth: it then answers a rep's late
orders by walking every customer of the rep and every order of each (hundreds of milliseconds).
:class:`Likelihood` tells it how often a condition holds; PostgreSQL, which keeps per-value
statistics, gets the condition unchanged."""

from django.db.models import BooleanField, ExpressionWrapper, Func, Q

RARE = 0.01  # e.g. open orders among all orders
COMMON = 0.5  # e.g. one rep's customers: never what to start a plan from


class Likelihood(Func):
    """``filter(Likelihood(Q(...), RARE))``: the condition, with SQLite told the share of rows
    it holds for (``likelihood()``)."""

    template = "%(expressions)s"
    output_field = BooleanField()

    def __init__(self, condition: Q, probability: float):
        if not 0 < probability < 1:
            raise ValueError("probability is between 0 and 1")
        super().__init__(ExpressionWrapper(condition, output_field=BooleanField()))
        self.probability = probability

    def as_sqlite(self, compiler, connection, **extra_context):
        template = f"likelihood(%(expressions)s, {self.probability!r})"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def _literal(value) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(f"not a constant to write into SQL: {value!r}")
    return str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"


class Written(Func):
    """``filter(Written(Q(status__in=OPEN_STATUSES)))``: the condition, its values written into
    the SQL on SQLite instead of bound. SQLite takes a partial index only for a query whose
    WHERE holds the index's own condition, and a bound value is unknown when it plans. For the
    code's constants only (strings and integers), never for what a user typed."""

    template = "%(expressions)s"
    output_field = BooleanField()

    def __init__(self, condition: Q):
        super().__init__(ExpressionWrapper(condition, output_field=BooleanField()))

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = self.as_sql(compiler, connection, **extra_context)
        return sql % tuple(_literal(value) for value in params), ()
