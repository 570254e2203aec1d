"""Integrity checks of a built database: orphans, dates out of order, the cube against the facts.

The fact tables declare no foreign keys (see schema.sql), so the references are checked here.
"""

from __future__ import annotations

import duckdb

# Each check counts the rows that break one rule; a sound database has 0 everywhere.
CHECKS: dict[str, str] = {
    "victims without their operation": "select count(*) from victim v anti join operation o using (operation_id)",
    "offenders without their operation": "select count(*) from offender f anti join operation o using (operation_id)",
    "operation months without their operation": "select count(*) from operation_month m anti join operation o using (operation_id)",
    "operations in an unknown force area, agency or crime type": """
        select count(*) from operation o
        where (o.force_code not in (select force_code from force)
               and not (o.force_code = 'national'
                        and o.lead_agency in (select agency_code from agency where kind <> 'police')))
           or not list_has_all((select list(force_code) from force), o.other_force_codes)
           or o.lead_agency not in (select agency_code from agency)
           or o.crime_type not in (select crime_type_code from crime_type)""",
    "facts pointing at an unknown return": """
        select count(*) from (
            select submission_id from operation
            union all select submission_id from victim
            union all select submission_id from offender)
        where submission_id is not null and submission_id not in (select submission_id from submission)""",
    "operations closed before they opened": "select count(*) from operation where closed_on < opened_on",
    "operation months outside the operation's life": """
        select count(*) from operation_month m join operation o using (operation_id)
        where m.month < date_trunc('month', o.opened_on)
           or m.month > date_trunc('month', coalesce(o.closed_on, m.month))""",
    "victims identified outside their operation's life": """
        select count(*) from victim v join operation o using (operation_id)
        where v.identified_on < o.opened_on or v.identified_on > coalesce(o.closed_on, v.identified_on)""",
    "NRM referrals before identification": "select count(*) from victim where nrm_referred_on < identified_on",
    "offenders arrested before their operation opened": """
        select count(*) from offender f join operation o using (operation_id)
        where f.arrested_on < o.opened_on""",
    "offenders charged before arrest or convicted before charge": """
        select count(*) from offender
        where charged_on < arrested_on or convicted_on < charged_on
           or (convicted_on is not null and charged_on is null)""",
    "monthly cube totals that differ from the facts": """
        select
            ((select coalesce(sum(victims), 0) from agg_monthly) <> (select count(*) from victim))::int
          + ((select coalesce(sum(live_ops), 0) from agg_monthly)
                <> (select count(*) from operation_month where status = 'live'))::int
          + ((select coalesce(sum(new_ops), 0) from agg_monthly) <> (select count(*) from operation))::int
          + ((select coalesce(sum(arrests), 0) from agg_monthly)
                <> (select count(*) from offender where arrested_on is not null))::int""",
    "cube by force area, open operations by lead agency or operations in other areas that differ from the facts": """
        select
            ((select coalesce(sum(live_ops), 0) from agg_area_monthly)
                <> (select count(*) from operation_month join operation_area() using (operation_id)
                    where status = 'live'))::int
          + ((select coalesce(sum(closed_ops), 0) from agg_area_monthly)
                <> (select count(*) from operation join operation_area() using (operation_id)
                    where closed_on is not null))::int
          + ((select coalesce(sum(open_ops), 0) from agg_open_month)
                <> (select count(*) from operation_month where status <> 'closed'))::int
          + ((select count(*) from agg_other_areas)
                <> (select count(*) from operation where len(other_force_codes) > 0))::int
          + ((select coalesce(sum(len(live_months)), 0) from agg_other_areas)
                <> (select count(*) from operation_month join operation using (operation_id)
                    where status = 'live' and len(other_force_codes) > 0))::int""",
    "operations with their months and people, victims by month or offenders with their operation that differ from the facts": """
        select
            ((select count(*) from agg_operation) <> (select count(*) from operation))::int
          + ((select coalesce(sum(months), 0) from agg_operation) <> (select count(*) from operation_month))::int
          + ((select coalesce(sum(victims), 0) from agg_operation) <> (select count(*) from victim))::int
          + ((select coalesce(sum(offenders), 0) from agg_operation) <> (select count(*) from offender))::int
          + ((select count(*) from agg_operation a join operation o using (operation_id)
                where a.lead_agency <> o.lead_agency or a.force_code <> o.force_code
                   or a.crime_type <> o.crime_type))::int
          + ((select coalesce(sum(victims), 0) from agg_victim_month) <> (select count(*) from victim))::int
          + ((select coalesce(sum(victims), 0) from agg_victim_month where referral_days is not null)
                <> (select count(*) from victim where nrm_referred))::int
          + ((select count(*) from agg_offender) <> (select count(*) from offender))::int
          + ((select count(*) from agg_offender a join offender f using (offender_id)
                join operation o on o.operation_id = f.operation_id
                where a.operation_id <> f.operation_id or a.lead_agency <> o.lead_agency
                   or a.force_code <> o.force_code or a.crime_type <> o.crime_type
                   or a.arrested_on is distinct from f.arrested_on
                   or a.charged_on is distinct from f.charged_on
                   or a.convicted_on is distinct from f.convicted_on
                   or a.person_ref <> f.person_ref or a.nationality <> f.nationality
                   or a.sex <> f.sex or a.age_group <> f.age_group or a.role <> f.role))::int""",
    "victims and offenders by month with their fields known that differ from the facts": """
        with facts as (
            select 'victims' as kind, nationality, age_group, sex from victim
            union all
            select 'offenders', f.nationality, f.age_group, f.sex
            from offender as f join submission as s on s.submission_id = f.submission_id
        ),
        counted as (
            select
                kind,
                count(*) as people,
                count(*) filter (where nationality <> 'UNK') as nationality_known,
                count(*) filter (where age_group <> 'unknown') as age_known,
                count(*) filter (where sex <> 'unknown') as sex_known
            from facts
            group by kind
        ),
        derived as (
            select
                kind,
                sum(people) as people,
                sum(nationality_known) as nationality_known,
                sum(age_known) as age_known,
                sum(sex_known) as sex_known
            from agg_known
            group by kind
        )
        select count(*) from counted as c full join derived as d using (kind)
        where c.people is distinct from d.people
           or c.nationality_known is distinct from d.nationality_known
           or c.age_known is distinct from d.age_known
           or c.sex_known is distinct from d.sex_known""",
    "build metadata missing": """
        select 2 - count(*) from meta where key in ('data_version', 'built_at')""",
}

TABLES = (
    "region",
    "force",
    "agency",
    "crime_type",
    "submission",
    "rejected_row",
    "operation",
    "operation_month",
    "victim",
    "offender",
    "agg_monthly",
    "agg_area_monthly",
    "agg_open_month",
    "agg_other_areas",
    "agg_operation",
    "agg_victim_month",
    "agg_offender",
    "agg_known",
    "meta",
)


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows in every table of the contract."""
    return {t: con.table(t).count("*").fetchall()[0][0] for t in TABLES}


def run_checks(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """{check: number of rows that break it}."""
    return {name: int(con.sql(sql).fetchall()[0][0]) for name, sql in CHECKS.items()}
