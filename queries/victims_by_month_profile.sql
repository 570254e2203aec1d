-- returns: aggregates
-- Victims identified each month by sex and age group: victims identified in the period (month of
-- identified_on), in operations within the filters (force area, crime type, lead agency of the
-- operation).
with victims as (
    select
        date_trunc('month', v.identified_on)::date as month,
        v.sex,
        v.age_group
    from victim as v
    join operation as o using (operation_id)
    where date_trunc('month', v.identified_on) between $start and $end
      and in_view($forces, $crime_types, $agencies, o.force_code, o.crime_type, o.lead_agency)
),

final as (
    select month, sex, age_group, count(*)::integer as victims
    from victims
    group by all
)

select * from final order by month, sex, age_group;
