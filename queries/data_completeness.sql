-- returns: aggregates
-- Completeness of the key fields by lead agency: of the victims identified and the offenders
-- first reported in the period (in the chosen forces and crime types), the share whose
-- nationality, age group and sex are known. Read from agg_known (msoic/agg_known.sql): the
-- victims by the month identified and the offenders by the month of the return that gave them.
with known as (
    select *
    from agg_known
    where month between $start and $end
      and in_view($forces, $crime_types, $agencies, force_code, crime_type, lead_agency)
),

final as (
    select
        lead_agency as agency_code,
        kind,
        sum(people)::bigint as people,
        sum(nationality_known) / sum(people) as nationality_known,
        sum(age_known) / sum(people) as age_known,
        sum(sex_known) / sum(people) as sex_known
    from known
    group by all
)

select * from final order by agency_code, kind;
