"""The SQL of the triggers that keep revisions and change counters, for PostgreSQL and SQLite.

Cache keys are made of revisions the database moves on itself, in the same transaction as the
change (projects.models.ChangeCounter, Project.revision, Indicator.revision). Triggers rather
than Python signals or save() overrides, because they also see what bypasses the ORM's save():
`QuerySet.update()` and `bulk_create()`, raw SQL, `loaddata`, `restore`, a psql session. A
writer has nothing to remember, and the migrations that install them are the only place that
knows which table moves which revision.

Four kinds, each a function returning (SQL to create, SQL to drop) for one table:
- own_revision: an UPDATE of a row moves the row's `revision` on (whatever the UPDATE wrote);
- touches: an INSERT, UPDATE or DELETE of a row moves on the revision of the rows it belongs to
  (a report → its project; optionally through a link table: an indicator → its projects);
- counts: an INSERT, UPDATE or DELETE moves on the change counter of (fiscal year, unit) of the
  row before and after the change;
- reference: any change moves on the reference counter (fiscal year 0, unit 0).

PostgreSQL runs `touches` and `counts` once per statement over its transition tables (a bulk
insert of 10,000 reports moves each project on once); SQLite has row triggers only. Used by
migrations: once a migration has run, changing a function here changes only new databases, so
add a kind or a migration rather than editing what an applied migration created.
"""

COUNTERS = "projects_changecounter"


def _pg_statement_function(name, body_for_rows):
    """A PL/pgSQL function for AFTER … FOR EACH STATEMENT triggers on INSERT, UPDATE and DELETE,
    and the three triggers: body_for_rows(rows_sql, key_columns) gets the transition rows."""
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {body_for_rows("new_rows")}
  ELSIF TG_OP = 'UPDATE' THEN
    {body_for_rows("new_rows", "old_rows")}
  ELSE
    {body_for_rows("old_rows")}
  END IF;
  RETURN NULL;
END $body$;
"""


def _pg_statement_triggers(table, name):
    return [
        f"CREATE TRIGGER {name}_ins AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {name}();",
        f"CREATE TRIGGER {name}_upd AFTER UPDATE ON {table} REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {name}();",
        f"CREATE TRIGGER {name}_del AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {name}();",
    ]


def _pg_drop(table, name, suffixes=("_ins", "_upd", "_del")):
    return [f"DROP TRIGGER IF EXISTS {name}{suffix} ON {table};" for suffix in suffixes] + [
        f"DROP FUNCTION IF EXISTS {name}();"
    ]


def _sqlite_row_triggers(table, name, body_for_row):
    """Row triggers on INSERT, UPDATE and DELETE: body_for_row(*row_names) gets NEW and/or OLD."""
    return [
        f"CREATE TRIGGER {name}_ins AFTER INSERT ON {table} BEGIN {body_for_row('NEW')} END;",
        f"CREATE TRIGGER {name}_upd AFTER UPDATE ON {table} BEGIN {body_for_row('NEW', 'OLD')} END;",
        f"CREATE TRIGGER {name}_del AFTER DELETE ON {table} BEGIN {body_for_row('OLD')} END;",
    ]


def _sqlite_drop(name, suffixes=("_ins", "_upd", "_del")):
    return [f"DROP TRIGGER IF EXISTS {name}{suffix};" for suffix in suffixes]


def own_revision(vendor, table):
    name = f"bma_{table}_revision"
    if vendor == "postgresql":
        create = [
            f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN NEW.revision := OLD.revision + 1; RETURN NEW; END $body$;""",
            f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();",
        ]
        return create, _pg_drop(table, name, suffixes=("",))
    # SQLite cannot change NEW: a second UPDATE (which fires no trigger of its own: SQLite's
    # recursive_triggers is off) writes the next revision when the first did not move it.
    create = [
        f"CREATE TRIGGER {name} AFTER UPDATE ON {table} FOR EACH ROW WHEN NEW.revision <= OLD.revision"
        f" BEGIN UPDATE {table} SET revision = OLD.revision + 1 WHERE id = NEW.id; END;"
    ]
    return create, _sqlite_drop(name, suffixes=("",))


def touches(vendor, table, column, parent, *, through=None):
    """Changes of `table` move on the revision of the `parent` rows whose id is in `column`;
    with through=(link_table, link_column, target_column): of the parent rows linked to the
    changed rows (`column` is then the changed rows' own id)."""
    name = f"bma_{table}_touches_{parent}"

    def ids(source):
        if through is None:
            return f"SELECT {column} FROM {source}"
        link_table, link_column, target_column = through
        return f"SELECT {target_column} FROM {link_table} WHERE {link_column} IN (SELECT {column} FROM {source})"

    if vendor == "postgresql":

        def body(*sources):
            union = " UNION ".join(ids(source) for source in sources)
            return f"UPDATE {parent} SET revision = revision + 1 WHERE id IN ({union});"

        create = [_pg_statement_function(name, body), *_pg_statement_triggers(table, name)]
        return create, _pg_drop(table, name)

    def row_body(*rows):
        if through is None:
            keys = ", ".join(f"{row}.{column}" for row in rows)
            return f"UPDATE {parent} SET revision = revision + 1 WHERE id IN ({keys});"
        link_table, link_column, target_column = through
        keys = ", ".join(f"{row}.{column}" for row in rows)
        return (
            f"UPDATE {parent} SET revision = revision + 1 WHERE id IN"
            f" (SELECT {target_column} FROM {link_table} WHERE {link_column} IN ({keys}));"
        )

    return _sqlite_row_triggers(table, name, row_body), _sqlite_drop(name)


def counts(vendor, table, fiscal_year_column="fiscal_year", unit_column="unit_id"):
    """Changes of `table` move on the change counter of the row's (fiscal year, unit), before and
    after the change (a row without a unit counts under unit 0)."""
    name = f"bma_{table}_counts"
    if vendor == "postgresql":

        def body(*sources):
            keys = " UNION ".join(
                f"SELECT {fiscal_year_column} AS fy, COALESCE({unit_column}, 0) AS unit FROM {source}"
                for source in sources
            )
            # Sorted, so that two transactions lock the counter rows they share in one order.
            return (
                f"INSERT INTO {COUNTERS} AS c (fiscal_year, unit_id, value)"
                f" SELECT DISTINCT fy, unit, 1 FROM ({keys}) k ORDER BY fy, unit"
                f" ON CONFLICT (fiscal_year, unit_id) DO UPDATE SET value = c.value + 1;"
            )

        create = [_pg_statement_function(name, body), *_pg_statement_triggers(table, name)]
        return create, _pg_drop(table, name)

    def row_body(*rows):
        statements = []
        for row in rows:
            fy, unit = f"{row}.{fiscal_year_column}", f"COALESCE({row}.{unit_column}, 0)"
            statements += [
                f"INSERT OR IGNORE INTO {COUNTERS} (fiscal_year, unit_id, value) VALUES ({fy}, {unit}, 0);",
                f"UPDATE {COUNTERS} SET value = value + 1 WHERE fiscal_year = {fy} AND unit_id = {unit};",
            ]
        return " ".join(statements)

    return _sqlite_row_triggers(table, name, row_body), _sqlite_drop(name)


REFERENCE_BUMP = f"UPDATE {COUNTERS} SET value = value + 1 WHERE fiscal_year = 0 AND unit_id = 0;"  # noqa: S608 (constants)


def reference(vendor, table):
    """Any change of `table` (TRUNCATE too, on PostgreSQL) moves the reference counter on."""
    name = f"bma_{table}_reference"
    if vendor == "postgresql":
        create = [
            f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION bma_reference_changed();",
        ]
        return create, [f"DROP TRIGGER IF EXISTS {name} ON {table};"]
    return _sqlite_row_triggers(table, name, lambda *rows: REFERENCE_BUMP), _sqlite_drop(name)


def truncate_moves_reference(vendor, table):
    """PostgreSQL's TRUNCATE fires no row or statement trigger of the other kinds: a table
    emptied that way moves the reference counter on (every cached page's key changes). SQLite has
    no TRUNCATE."""
    if vendor != "postgresql":
        return [], []
    name = f"bma_{table}_truncate"
    create = [
        f"CREATE TRIGGER {name} AFTER TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bma_reference_changed();",
    ]
    return create, [f"DROP TRIGGER IF EXISTS {name} ON {table};"]


def counter_table(vendor, reference_start):
    """The counters' table (not a managed model: flush and restore leave it alone) and its
    reference row, starting at a random value so that two databases never share a cache key."""
    create = [
        f"CREATE TABLE {COUNTERS} (fiscal_year integer NOT NULL, unit_id integer NOT NULL,"
        f" value bigint NOT NULL, PRIMARY KEY (fiscal_year, unit_id));",
        f"INSERT INTO {COUNTERS} (fiscal_year, unit_id, value) VALUES (0, 0, {int(reference_start)});",
    ]
    drop = [f"DROP TABLE IF EXISTS {COUNTERS};"]
    if vendor == "postgresql":
        # The function every reference and TRUNCATE trigger runs.
        create.append(
            "CREATE OR REPLACE FUNCTION bma_reference_changed() RETURNS trigger LANGUAGE plpgsql AS $body$"
            f" BEGIN {REFERENCE_BUMP} RETURN NULL; END $body$;"
        )
        drop.insert(0, "DROP FUNCTION IF EXISTS bma_reference_changed();")
    return create, drop


def install(schema_editor, *parts):
    """Run the create SQL of some (create, drop) pairs."""
    for create, _drop in parts:
        for statement in create:
            schema_editor.execute(statement)


def uninstall(schema_editor, *parts):
    for _create, drop in reversed(parts):
        for statement in drop:
            schema_editor.execute(statement)


def around_sqlite_rebuild(*migration_modules):
    """For a migration that changes a table with triggers: two operations, to put before and
    after its other operations. SQLite rebuilds a table for most column changes; it refuses to
    rename the rebuilt table while other tables' triggers name it, and the rebuilt table has none
    of its own. So every trigger of the given migrations' `_parts` is dropped first and created
    again last (their counters table is left alone). PostgreSQL keeps its triggers through such
    changes: both operations do nothing there."""
    import importlib

    from django.db import migrations

    def triggers():
        return [
            part
            for module in migration_modules
            for part in importlib.import_module(module)._parts("sqlite")
            if all(statement.startswith("CREATE TRIGGER") for statement in part[0])
        ]

    def on_sqlite(action):
        def run(apps, schema_editor):
            if schema_editor.connection.vendor == "sqlite":
                action(schema_editor, *triggers())

        return run

    before = migrations.RunPython(on_sqlite(uninstall), on_sqlite(install))
    after = migrations.RunPython(on_sqlite(install), on_sqlite(uninstall))
    return before, after


def migration_operation(parts):
    """The migration operation that installs parts(vendor) — a list of (create, drop) pairs —
    and drops them again when the migration is reversed."""
    from django.db import migrations

    def forward(apps, schema_editor):
        install(schema_editor, *parts(schema_editor.connection.vendor))

    def backward(apps, schema_editor):
        uninstall(schema_editor, *parts(schema_editor.connection.vendor))

    return migrations.RunPython(forward, backward)


# The reporting cycle (issue 20, migrations projects 0012 and indicators 0007).

LOCKS = "projects_quarterlock"
UNITS = "projects_orgunit"


def _fiscal_year_sql(vendor, day):
    """The fiscal year (BE) of a date column, as SQL (thaidate.fiscal_year)."""
    year, month = _year_month_sql(vendor, day)
    return f"({year} + 543 + CASE WHEN {month} >= 10 THEN 1 ELSE 0 END)"


def _quarter_sql(vendor, day):
    """The fiscal quarter (1–4) of a date column, as SQL (thaidate.fiscal_quarter)."""
    _year, month = _year_month_sql(vendor, day)
    if vendor == "postgresql":  # "%" would read as a parameter placeholder there
        return f"(MOD({month} + 2, 12) / 3 + 1)"
    return f"((({month}) + 2) % 12 / 3 + 1)"


def _year_month_sql(vendor, day):
    if vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {day}) AS integer)", f"CAST(EXTRACT(MONTH FROM {day}) AS integer)"
    return f"CAST(strftime('%Y', {day}) AS integer)", f"CAST(strftime('%m', {day}) AS integer)"


def _locked_sql(fiscal_year, quarter, unit):
    """SQL true when an active lock covers (fiscal year, quarter, unit): a lock for every unit,
    for the unit, or for a unit above it (units nest at most three deep)."""
    parent = f"(SELECT pu.parent_id FROM {UNITS} pu WHERE pu.id = {unit})"
    grandparent = f"(SELECT gu.parent_id FROM {UNITS} gu WHERE gu.id = {parent})"
    return (
        f"EXISTS (SELECT 1 FROM {LOCKS} l WHERE l.reopened_at IS NULL AND l.fiscal_year = {fiscal_year}"
        f" AND l.quarter = {quarter} AND (l.unit_id IS NULL OR l.unit_id = {unit} OR l.unit_id = {parent}"
        f" OR l.unit_id = {grandparent}))"
    )


def closed_quarter_check(vendor, kind, row):
    """SQL true when `row` (NEW or OLD) of a table of `kind` lies in a closed quarter:
    - "dated" (a progress report: report_date), "spanning" (a plan step: start or end): by the
      date's quarter, when the date is inside the project's fiscal year;
    - "quarterly" (an evaluation: quarter): by the row's quarter of the project's year;
    - "indicator" (an indicator quarter): by the row's quarter of the indicator's year and unit."""
    if kind == "indicator":
        owner = f"(SELECT i.{{}} FROM indicators_indicator i WHERE i.id = {row}.indicator_id)"
        return _locked_sql(owner.format("fiscal_year"), f"{row}.quarter", owner.format("unit_id"))
    owner = f"(SELECT p.{{}} FROM projects_project p WHERE p.id = {row}.project_id)"
    fiscal_year, unit = owner.format("fiscal_year"), owner.format("unit_id")
    if kind == "quarterly":
        return _locked_sql(fiscal_year, f"{row}.quarter", unit)
    columns = ["report_date"] if kind == "dated" else ["start", "end"]
    checks = [
        f"({_fiscal_year_sql(vendor, f'{row}.{_quoted(c)}')} = {fiscal_year} AND"
        f" {_locked_sql(fiscal_year, _quarter_sql(vendor, f'{row}.{_quoted(c)}'), unit)})"
        for c in columns
    ]
    return "(" + " OR ".join(checks) + ")"


def _quoted(column):
    return f'"{column}"'  # "end" is a keyword


CLOSED_QUARTER_MESSAGE = "bma_closed_quarter: this row is in a closed quarter (projects.QuarterLock)"


def refuses_in_closed_quarter(vendor, table, kind):
    """INSERT, UPDATE and DELETE of a row in a closed quarter (before or after the change) fail:
    the database's own last word on QuarterLock, whoever writes (a bulk command, the admin,
    QuerySet.update(), raw SQL). The error is an integrity error on both databases."""
    name = f"bma_{table}_closed"
    if vendor == "postgresql":
        create = [
            f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  IF TG_OP <> 'INSERT' AND {closed_quarter_check(vendor, kind, "OLD")} THEN
    RAISE EXCEPTION '{CLOSED_QUARTER_MESSAGE}' USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP <> 'DELETE' AND {closed_quarter_check(vendor, kind, "NEW")} THEN
    RAISE EXCEPTION '{CLOSED_QUARTER_MESSAGE}' USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $body$;""",
            f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {name}();",
        ]
        return create, _pg_drop(table, name, suffixes=("",))

    def raise_when(*rows):
        condition = " OR ".join(closed_quarter_check(vendor, kind, row) for row in rows)
        return f"SELECT RAISE(ABORT, '{CLOSED_QUARTER_MESSAGE}') WHERE {condition};"

    create = [
        f"CREATE TRIGGER {name}_ins BEFORE INSERT ON {table} BEGIN {raise_when('NEW')} END;",
        f"CREATE TRIGGER {name}_upd BEFORE UPDATE ON {table} BEGIN {raise_when('NEW', 'OLD')} END;",
        f"CREATE TRIGGER {name}_del BEFORE DELETE ON {table} BEGIN {raise_when('OLD')} END;",
    ]
    return create, _sqlite_drop(name)


def touches_fiscal_year(vendor, table, *, unit_column=None):
    """Changes of `table` (rows with a fiscal_year, and optionally a unit: none = every unit)
    move on the revision of every project of that fiscal year in the unit's subtree: the
    calendar and the quarter locks decide the month statuses their pages and dashboards show.
    Moving a project's row on moves its unit's change counter too (counts on projects_project)."""
    name = f"bma_{table}_touches_year"

    def scope(fiscal_year, unit):
        if unit is None:
            return f"p.fiscal_year = {fiscal_year}"
        return (
            f"p.fiscal_year = {fiscal_year} AND ({unit} IS NULL OR p.unit_id IN (SELECT u.id FROM {UNITS} u"
            f" WHERE u.id = {unit} OR u.parent_id = {unit}"
            f" OR u.parent_id IN (SELECT c.id FROM {UNITS} c WHERE c.parent_id = {unit})))"
        )

    if vendor == "postgresql":

        def body(*sources):
            unit = f", {unit_column} AS unit" if unit_column else ""
            rows = " UNION ".join(f"SELECT fiscal_year{unit} FROM {source}" for source in sources)
            condition = scope("r.fiscal_year", "r.unit" if unit_column else None)
            return (
                f"UPDATE projects_project p SET revision = p.revision + 1"
                f" WHERE EXISTS (SELECT 1 FROM ({rows}) r WHERE {condition});"
            )

        create = [_pg_statement_function(name, body), *_pg_statement_triggers(table, name)]
        return create, _pg_drop(table, name)

    def row_body(*rows):
        condition = " OR ".join(
            f"({scope(f'{row}.fiscal_year', f'{row}.{unit_column}' if unit_column else None)})" for row in rows
        )
        return f"UPDATE projects_project SET revision = revision + 1 WHERE id IN (SELECT p.id FROM projects_project p WHERE {condition});"

    return _sqlite_row_triggers(table, name, row_body), _sqlite_drop(name)
