"""Create the PostgreSQL database named by DATABASE_URL when it does not exist yet (make serve,
make loadtest). Connects to the server's maintenance database `postgres` with the same user."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections


class Command(BaseCommand):
    help = "Create the PostgreSQL database of DATABASE_URL if it is missing."
    requires_system_checks = []

    def handle(self, *args, **options):
        settings_dict = connections["default"].settings_dict
        if connections["default"].vendor != "postgresql":
            self.stdout.write("Not PostgreSQL: nothing to create.")
            return
        import psycopg2
        from psycopg2 import sql

        name = settings_dict["NAME"]
        try:
            server = psycopg2.connect(
                dbname="postgres",
                user=settings_dict["USER"] or None,
                password=settings_dict["PASSWORD"] or None,
                host=settings_dict["HOST"] or None,
                port=settings_dict["PORT"] or None,
            )
        except psycopg2.OperationalError as exc:
            raise CommandError(f"Cannot reach PostgreSQL for {name!r}: {exc}") from None
        server.autocommit = True
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                self.stdout.write(f"Database {name} exists.")
            else:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                self.stdout.write(f"Created database {name}.")
        server.close()
