"""Django's SQLite backend with one difference: a decimal stored too large for its column is read
back as it is, instead of failing every page that shows it.

SQLite does not enforce a column's size (PostgreSQL refuses such a value), so a number written
before the bounds of ``tend.core.decimals`` existed may not fit its ``max_digits``; Django's
converter then raises on every read.
"""

import decimal

from django.db.backends.sqlite3 import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def get_decimalfield_converter(self, expression):
        exact = super().get_decimalfield_converter(expression)
        create_decimal = decimal.Context(prec=15).create_decimal_from_float

        def converter(value, expression, connection):
            try:
                return exact(value, expression, connection)
            except decimal.InvalidOperation:
                return create_decimal(value)

        return converter


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
