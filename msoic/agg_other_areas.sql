-- The operations that name a force area besides their primary one (docs/returns.md, "Force
-- areas"): one row each, with its areas, crime type, lead agency, closing day, whether an offender
-- of it was charged (at any time) and the months it was reported live. A total over force areas
-- counts an operation once: those whose primary area is in view come from the monthly cube, and
-- these rows give the few in view through another area alone (benchmark_total) without reading
-- every operation-month. Built whole with $agencies null; after a load, the rows of the lead
-- agencies in $agencies only (an operation, and every event of it, belongs to its lead agency's
-- returns, and keeps its lead agency).
with crossing as (
    select operation_id, force_code, other_force_codes, crime_type, lead_agency, closed_on
    from operation
    where len(other_force_codes) > 0
      and ($agencies is null or list_contains($agencies, lead_agency))
),

live as (
    select operation_id, list(month order by month) as live_months
    from operation_month
    where status = 'live'
      and operation_id in (select operation_id from crossing)
    group by operation_id
),

charged as (
    select distinct operation_id
    from offender
    where charged_on is not null
      and operation_id in (select operation_id from crossing)
),

final as (
    select
        c.operation_id,
        c.force_code,
        c.other_force_codes,
        c.crime_type,
        c.lead_agency,
        c.closed_on,
        ch.operation_id is not null as charged,
        coalesce(l.live_months, []::date[]) as live_months
    from crossing as c
    left join live as l using (operation_id)
    left join charged as ch using (operation_id)
)

select * from final
order by operation_id;
