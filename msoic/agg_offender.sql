-- Each offender, who they are (pseudonymous person, nationality, sex, age group, role) and what
-- the Offenders page asks of their operation: its force area, crime type, lead agency, opening
-- day and reported months (first, last, and whether it was reported in every month between them:
-- then it was reported in a period when the two overlap). The funnel, the profile and the victims
-- also offenders read it instead of every offender joined to its operation and every
-- operation-month of the period. Ordered by force area and first month, so a view of a few force
-- areas reads only their blocks. Built whole with $agencies null; after a load, the rows of the
-- lead agencies in $agencies only (an offender belongs to their operation's lead agency's returns).
with operations as (
    select operation_id, force_code, crime_type, lead_agency, opened_on
    from operation
    where $agencies is null or list_contains($agencies, lead_agency)
),

reported as (
    select
        operation_id,
        min(month) as first_month,
        max(month) as last_month,
        count(*) = datediff('month', min(month), max(month)) + 1 as unbroken
    from operation_month
    where operation_id in (select operation_id from operations)
    group by operation_id
),

final as (
    select
        f.offender_id,
        f.operation_id,
        o.force_code,
        o.crime_type,
        o.lead_agency,
        o.opened_on,
        r.first_month,  -- null, with last_month and unbroken, for an operation never reported
        r.last_month,
        r.unbroken,
        f.arrested_on,
        f.charged_on,
        f.convicted_on,
        f.person_ref,
        f.nationality,
        f.sex,
        f.age_group,
        f.role
    from offender as f
    join operations as o using (operation_id)
    left join reported as r using (operation_id)
)

select * from final
order by force_code, first_month, offender_id;
