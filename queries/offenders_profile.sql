-- returns: aggregates
-- The profile of the offenders recorded in operations reported (live, suspended or closed) in
-- at least one month of the period, within the filters: how many by nationality, sex, age group
-- and role (one row per dimension and category).
with reported as (
    select distinct operation_id
    from operation_month
    where month between $start and $end
),

offenders as (
    select f.nationality, f.sex, f.age_group, f.role
    from offender as f
    join reported using (operation_id)
    join operation as o using (operation_id)
    where in_view($forces, $crime_types, $agencies, o.force_code, o.crime_type, o.lead_agency)
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
