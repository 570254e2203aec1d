-- returns: aggregates
-- The profile of the offenders recorded in operations reported (live, suspended or closed) in
-- at least one month of the period, within the filters: how many by nationality, sex, age group
-- and role (one row per dimension and category).
-- DESIGN: the offenders from offenders_reported (schema.sql), not narrowed to the person's scope
-- (figures as counted): the view's own areas and agencies stand as the scope, holding every
-- offender in view. Read once for all four dimensions.
with offenders as materialized (
    select nationality, sex, age_group, role
    from offenders_reported($start, $end, $forces, $crime_types, $agencies, $forces, $agencies)
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
