-- returns: aggregates
-- Operations closed in the period, counted (n) by the force area where they ran and whether any
-- of their offenders was charged (at any time). Read from the monthly cube (closed_ops, and of
-- those closed_ops_charged, by primary force area); 'national' has no force and no row.
with closures as (
    select
        c.force_code,
        f.region_code,
        sum(c.closed_ops_charged) as charged,
        sum(c.closed_ops - c.closed_ops_charged) as not_charged
    from agg_monthly as c
    join force as f on f.force_code = c.force_code
    where c.month between $start and $end
      and in_view($forces, $crime_types, $agencies, c.force_code, c.crime_type, c.lead_agency)
    group by all
),

final as (
    select force_code, region_code, true as charged, charged::bigint as n
    from closures
    where charged > 0
    union all
    select force_code, region_code, false as charged, not_charged::bigint as n
    from closures
    where not_charged > 0
)

select * from final;
