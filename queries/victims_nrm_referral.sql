-- returns: aggregates
-- NRM referral of the victims identified in the period, by age group: how many were identified
-- and how many of them have been referred (by the last date in the data, whenever referred).
with victims as (
    select age_group, nrm_referred
    from victims_in_view($start, $end, $forces, $crime_types, $agencies)
),

final as (
    select
        age_group,
        count(*)::integer as identified,
        count(*) filter (where nrm_referred)::integer as referred
    from victims
    group by all
)

select * from final order by age_group;
