-- The monthly cube by force area: one row per month x force area x lead agency x crime type,
-- counting live operation-months, operations closed and, of those, the ones in which an offender
-- was charged (at any time). Counted by area (docs/returns.md, "Force areas"): an operation counts
-- in every force area it names ('national' for one with no territorial area), so a sum over areas
-- counts an operation once per area in it. Built whole with $agencies null; after a load, the rows
-- of the lead agencies in $agencies only (an operation, and every event of it, belongs to its lead
-- agency's returns, and keeps its lead agency).
with charged_operations as (
    select distinct operation_id
    from offender
    where charged_on is not null
),

events as (
    select month, operation_id, 'live_ops' as measure
    from operation_month where status = 'live'
    union all
    select date_trunc('month', closed_on)::date, operation_id, 'closed_ops'
    from operation where closed_on is not null
    union all
    select date_trunc('month', closed_on)::date, operation_id, 'closed_ops_charged'
    from operation
    where closed_on is not null
      and operation_id in (select operation_id from charged_operations)
),

final as (
    select
        e.month,
        a.force_code,
        o.lead_agency,
        o.crime_type,
        count(*) filter (where e.measure = 'live_ops')::integer as live_ops,
        count(*) filter (where e.measure = 'closed_ops')::integer as closed_ops,
        count(*) filter (where e.measure = 'closed_ops_charged')::integer as closed_ops_charged
    from events as e
    join operation as o using (operation_id)
    join operation_area() as a using (operation_id)
    where $agencies is null or list_contains($agencies, o.lead_agency)
    group by all
)

select * from final
order by month, force_code, lead_agency, crime_type;
