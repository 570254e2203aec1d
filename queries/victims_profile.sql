-- returns: aggregates
-- The profile of the victims identified in the period, in operations within the filters: how
-- many by sex, age group, exploitation type and nationality (one row per dimension and category).
with victims as (
    select sex, age_group, exploitation_type, nationality
    from victims_in_view($start, $end, $forces, $crime_types, $agencies)
),

final as (
    select 'sex' as dimension, sex as category, count(*)::integer as victims from victims group by all
    union all
    select 'age_group', age_group, count(*)::integer from victims group by all
    union all
    select 'exploitation_type', exploitation_type, count(*)::integer from victims group by all
    union all
    select 'nationality', nationality, count(*)::integer from victims group by all
)

select * from final order by dimension, category;
