-- returns: aggregates
-- Victims identified in the period by the region of their operation's force area, within the
-- filters (pages pass the filters without regions or forces to compare every region).
with victims as (
    select f.region_code
    from victim as v
    join operation as o using (operation_id)
    join force as f using (force_code)
    where date_trunc('month', v.identified_on) between $start and $end
      and in_view($forces, $crime_types, $agencies, o.force_code, o.crime_type, o.lead_agency)
),

final as (
    select region_code, count(*)::integer as victims
    from victims
    group by all
)

select * from final order by region_code;
