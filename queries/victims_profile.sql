-- returns: aggregates
-- The profile of the victims identified in the period, in operations within the filters: how
-- many by sex, age group, exploitation type and nationality (one row per dimension and category).
with victims as (
    select v.sex, v.age_group, v.exploitation_type, v.nationality
    from victim as v
    join operation as o using (operation_id)
    where date_trunc('month', v.identified_on) between $start and $end
      and in_view($forces, $crime_types, $agencies, o.force_code, o.crime_type, o.lead_agency)
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
