-- returns: aggregates
-- Completeness of the key fields by lead agency: of the victims identified and the offenders
-- first reported in the period (in the chosen forces and crime types), the share whose
-- nationality, age group and sex are known, and of victims referred to the NRM, the share
-- with a referral date.
with people as (
    select
        o.lead_agency as agency_code,
        'victims' as kind,
        v.nationality <> 'UNK' as nationality_known,
        v.age_group <> 'unknown' as age_known,
        v.sex <> 'unknown' as sex_known
    from victim as v
    join operation as o using (operation_id)
    where v.identified_on between $start and last_day($end)
      and in_view($forces, $crime_types, $agencies, o.force_code, o.crime_type, o.lead_agency)
    union all
    select
        o.lead_agency,
        'offenders',
        f.nationality <> 'UNK',
        f.age_group <> 'unknown',
        f.sex <> 'unknown'
    from offender as f
    join operation as o using (operation_id)
    join submission as s on s.submission_id = f.submission_id
    where s.period between $start and $end
      and in_view($forces, $crime_types, $agencies, o.force_code, o.crime_type, o.lead_agency)
),

final as (
    select
        agency_code,
        kind,
        count(*) as people,
        avg(nationality_known::int) as nationality_known,
        avg(age_known::int) as age_known,
        avg(sex_known::int) as sex_known
    from people
    group by all
)

select * from final order by agency_code, kind;
