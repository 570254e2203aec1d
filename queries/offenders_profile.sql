-- returns: aggregates
-- The profile of the offenders recorded in operations reported (live, suspended or closed) in
-- at least one month of the period, within the filters: how many by nationality, sex, age group
-- and role (one row per dimension and category).
-- DESIGN: the offenders in view from agg_offender, as the funnel (offenders_justice_stages) reads
-- them: an operation reported in every month from its first to its last was reported in the
-- period when the two overlap; only one with a month missing has its months read.
with in_view as materialized (
    select operation_id, unbroken, nationality, sex, age_group, role
    from agg_offender
    where first_month <= $end
      and last_month >= $start
      and in_view($forces, $crime_types, $agencies, force_code, crime_type, lead_agency)
),

offenders as materialized (
    select nationality, sex, age_group, role
    from in_view
    where unbroken
    union all
    select nationality, sex, age_group, role
    from in_view
    where not unbroken
      and operation_id in (
          select operation_id
          from operation_month
          where month between $start and $end
            and operation_id in (select operation_id from in_view where not unbroken)
      )
),

final as (
    select 'nationality' as dimension, nationality as category, count(*)::integer as offenders
    from offenders group by all
    union all
    select 'sex', sex, count(*)::integer from offenders group by all
    union all
    select 'age_group', age_group, count(*)::integer from offenders group by all
    union all
    select 'role', role, count(*)::integer from offenders group by all
)

select * from final order by dimension, category;
