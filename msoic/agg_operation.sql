-- One row per operation: its own columns, the months it was reported (first, last, how many), its
-- status and stage in its last reported month, and how many victims and offenders it has (all of
-- its life). The Operations list and the offender questions read it instead of every
-- operation-month, victim and offender: an operation reported in every month from its first to
-- its last (months = the months between them) was reported in a period when the two overlap, in
-- as many of its months as overlap. Ordered by force area, lead agency and crime type, so a view
-- of a few force areas reads only their blocks. Built whole with $agencies null; after a load,
-- the rows of the lead agencies in $agencies only (an operation, and every event of it, belongs
-- to its lead agency's returns, and keeps its lead agency).
with chosen as (
    select
        operation_id,
        codename,
        force_code,
        crime_type,
        lead_agency,
        opened_on,
        closed_on,
        ocg_ref,
        county_lines
    from operation
    where $agencies is null or list_contains($agencies, lead_agency)
),

reported as (
    select
        operation_id,
        min(month) as first_month,
        max(month) as last_month,
        count(*)::integer as months,
        arg_max(status, month) as last_status,
        arg_max(stage, month) as last_stage
    from operation_month
    where operation_id in (select operation_id from chosen)
    group by operation_id
),

victims as (
    select operation_id, count(*)::integer as victims
    from victim
    where operation_id in (select operation_id from chosen)
    group by operation_id
),

offenders as (
    select operation_id, count(*)::integer as offenders
    from offender
    where operation_id in (select operation_id from chosen)
    group by operation_id
),

final as (
    select
        c.operation_id,
        c.codename,
        c.force_code,
        c.crime_type,
        c.lead_agency,
        c.opened_on,
        c.closed_on,
        c.ocg_ref,
        c.county_lines,
        r.first_month,  -- null, with last_month, last_status and last_stage, when never reported
        r.last_month,
        coalesce(r.months, 0) as months,
        r.last_status,
        r.last_stage,
        coalesce(v.victims, 0) as victims,
        coalesce(f.offenders, 0) as offenders
    from chosen as c
    left join reported as r using (operation_id)
    left join victims as v using (operation_id)
    left join offenders as f using (operation_id)
)

select * from final
order by force_code, lead_agency, crime_type, operation_id;
