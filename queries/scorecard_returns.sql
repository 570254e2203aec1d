-- returns: aggregates
-- The months its own return was due (return_due in schema.sql: every month for a territorial
-- force), counted (n) by force and whether it was sent and whether it arrived by the 15th of the
-- following month (judged on the first return's sent date when it gives one; history loaded as
-- backfill without one is received but not judged). ROCUs' and partner agencies' returns cover
-- many force areas and are left out; returns are not split by crime type.
with due as (
    select d.agency_code as force_code, f.region_code, d.month
    from return_due($start, $end) as d
    join force as f on f.force_code = d.agency_code
    where list_contains($forces, d.agency_code)
      and list_contains($agencies, d.agency_code)
),

returns as (
    select
        agency_code as force_code,
        period as month,
        min(received_at) as received_at,
        arg_min(return_on_time(period, sent_on, received_at, backfill), submission_id) as on_time
    from submission
    where period between $start and $end
    group by all
),

force_months as (
    select
        d.force_code,
        d.region_code,
        r.received_at is not null as received,
        r.received_at is not null and r.on_time is not null as judged,
        coalesce(r.on_time, false) as on_time
    from due as d
    left join returns as r on r.force_code = d.force_code and r.month = d.month
),

final as (
    select *, count(*) as n
    from force_months
    group by all
)

select * from final order by all;
