-- returns: aggregates
-- The months of the period, counted (n) by force and whether the force sent its own monthly
-- return and whether it arrived by the 15th of the following month. Partner agencies' returns
-- cover many force areas and are left out; returns are not split by crime type.
with months as (
    select unnest(generate_series($start, $end, interval 1 month))::date as month
),

forces as (
    select force_code, region_code
    from force
    where list_contains($forces, force_code)
      and list_contains($agencies, force_code)
),

returns as (
    select agency_code as force_code, period as month, min(received_at) as received_at
    from submission
    where period between $start and $end
    group by all
),

force_months as (
    select
        f.force_code,
        f.region_code,
        r.received_at is not null as received,
        coalesce(r.received_at < return_late_from(m.month), false) as on_time
    from forces as f
    cross join months as m
    left join returns as r on r.force_code = f.force_code and r.month = m.month
),

final as (
    select *, count(*) as n
    from force_months
    group by all
)

select * from final order by all;
