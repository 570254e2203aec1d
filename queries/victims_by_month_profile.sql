-- returns: aggregates
-- Victims identified each month by sex and age group: victims identified in the period (month of
-- identified_on), in operations within the filters (force area, crime type, lead agency of the
-- operation).
with victims as (
    select identified_month as month, sex, age_group
    from victims_in_view($start, $end, $forces, $crime_types, $agencies)
),

final as (
    select month, sex, age_group, count(*)::integer as victims
    from victims
    group by all
)

select * from final order by month, sex, age_group;
