-- The victims by the month they were identified and the offenders by the month of the return that
-- gave them, by the force area, crime type and lead agency of their operation: how many, and how
-- many have their nationality (not UNK), age group and sex (not unknown) known. The Data page's
-- completeness reads it instead of every victim and offender joined to its operation. Ordered by
-- month, so a period reads only its blocks. Built whole with $agencies null; after a load, the
-- rows of the lead agencies in $agencies only (a victim or offender belongs to its operation's lead
-- agency's returns).
with people as (
    select
        'victims' as kind,
        date_trunc('month', v.identified_on)::date as month,
        o.force_code,
        o.crime_type,
        o.lead_agency,
        v.nationality <> 'UNK' as nationality_known,
        v.age_group <> 'unknown' as age_known,
        v.sex <> 'unknown' as sex_known
    from victim as v
    join operation as o using (operation_id)
    where $agencies is null or list_contains($agencies, o.lead_agency)
    union all
    select
        'offenders',
        s.period,
        o.force_code,
        o.crime_type,
        o.lead_agency,
        f.nationality <> 'UNK',
        f.age_group <> 'unknown',
        f.sex <> 'unknown'
    from offender as f
    join operation as o using (operation_id)
    join submission as s on s.submission_id = f.submission_id
    where $agencies is null or list_contains($agencies, o.lead_agency)
),

final as (
    select
        kind,
        month,
        force_code,
        crime_type,
        lead_agency,
        count(*)::integer as people,
        count(*) filter (where nationality_known)::integer as nationality_known,
        count(*) filter (where age_known)::integer as age_known,
        count(*) filter (where sex_known)::integer as sex_known
    from people
    group by all
)

select * from final
order by month, force_code, lead_agency, crime_type, kind;
