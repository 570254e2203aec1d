-- The monthly cube: one row per month x force area x lead agency x crime type, counting
-- live, new and closed operations, victims identified, child victims, NRM referrals,
-- arrests and charges; operations closed in which an offender was charged (at any time:
-- closed_ops_charged) and victims identified who were referred to the NRM (at any time:
-- victims_referred; nrm_referrals counts referrals in the month they were made). Each event
-- counts in the month it happened, in the force area, lead agency and crime type of its
-- operation, in its primary force area ('national', with no
-- region, for an operation with no territorial area). Built whole with $agencies null; after a
-- load, the rows of the lead agencies in $agencies only (an operation, and every event of it,
-- belongs to its lead agency's returns, and keeps its lead agency).
with charged_operations as (
    select distinct operation_id
    from offender
    where charged_on is not null
),

events as (
    select month, operation_id, 'live_ops' as measure
    from operation_month where status = 'live'
    union all
    select date_trunc('month', opened_on)::date, operation_id, 'new_ops' from operation
    union all
    select date_trunc('month', closed_on)::date, operation_id, 'closed_ops'
    from operation where closed_on is not null
    union all
    select date_trunc('month', closed_on)::date, operation_id, 'closed_ops_charged'
    from operation
    where closed_on is not null
      and operation_id in (select operation_id from charged_operations)
    union all
    select date_trunc('month', identified_on)::date, operation_id, 'victims' from victim
    union all
    select date_trunc('month', identified_on)::date, operation_id, 'child_victims'
    from victim where age_group = 'child'
    union all
    select date_trunc('month', nrm_referred_on)::date, operation_id, 'nrm_referrals'
    from victim where nrm_referred
    union all
    select date_trunc('month', identified_on)::date, operation_id, 'victims_referred'
    from victim where nrm_referred
    union all
    select date_trunc('month', arrested_on)::date, operation_id, 'arrests'
    from offender where arrested_on is not null
    union all
    select date_trunc('month', charged_on)::date, operation_id, 'charges'
    from offender where charged_on is not null
),

final as (
    select
        e.month,
        f.region_code,
        o.force_code,
        o.lead_agency,
        o.crime_type,
        ct.family,
        count(*) filter (where e.measure = 'live_ops')::integer as live_ops,
        count(*) filter (where e.measure = 'new_ops')::integer as new_ops,
        count(*) filter (where e.measure = 'closed_ops')::integer as closed_ops,
        count(*) filter (where e.measure = 'victims')::integer as victims,
        count(*) filter (where e.measure = 'child_victims')::integer as child_victims,
        count(*) filter (where e.measure = 'nrm_referrals')::integer as nrm_referrals,
        count(*) filter (where e.measure = 'arrests')::integer as arrests,
        count(*) filter (where e.measure = 'charges')::integer as charges,
        count(*) filter (where e.measure = 'victims_referred')::integer as victims_referred,
        count(*) filter (where e.measure = 'closed_ops_charged')::integer as closed_ops_charged
    from events as e
    join operation as o using (operation_id)
    left join force as f using (force_code)
    join crime_type as ct on ct.crime_type_code = o.crime_type
    where $agencies is null or list_contains($agencies, o.lead_agency)
    group by all
)

select * from final
order by month, force_code, lead_agency, crime_type;
