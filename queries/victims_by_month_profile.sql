-- returns: aggregates
-- Victims identified each month by sex and age group: victims identified in the period (month of
-- identified_on), in operations within the filters (force area, crime type, lead agency of the
-- operation).
-- Read from agg_victim_month: the victims of victims_in_view counted by month, area and profile,
-- in blocks by force area, so a narrowed view reads only its own.
with victims as (
    select identified_month as month, sex, age_group, victims
    from agg_victim_month
    where identified_month between $start and $end
      and in_view($forces, $crime_types, $agencies, force_code, crime_type, lead_agency)
),

final as (
    select month, sex, age_group, sum(victims)::integer as victims
    from victims
    group by all
)

select * from final order by month, sex, age_group;
