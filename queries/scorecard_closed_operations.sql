-- returns: aggregates
-- Operations closed in the period, counted (n) by the force area where they ran and whether any
-- of their offenders was charged.
with charged as (
    select distinct operation_id
    from offender
    where charged_on is not null
),

closed as (
    select
        o.force_code,
        f.region_code,
        c.operation_id is not null as charged
    from operation as o
    join force as f on f.force_code = o.force_code
    left join charged as c using (operation_id)
    where o.closed_on between $start and last_day($end)
      and in_view($forces, $crime_types, $agencies, o.force_code, o.crime_type, o.lead_agency)
),

final as (
    select *, count(*) as n
    from closed
    group by all
)

select * from final;
