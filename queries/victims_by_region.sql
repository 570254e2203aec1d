-- returns: aggregates
-- Victims identified in the period by the region of their operation's force area, within the
-- filters (pages pass the filters without regions or forces to compare every region).
with victims as (
    select f.region_code
    from victims_in_view($start, $end, $forces, $crime_types, $agencies) as v
    join force as f using (force_code)
),

final as (
    select region_code, count(*)::integer as victims
    from victims
    group by all
)

select * from final order by region_code;
