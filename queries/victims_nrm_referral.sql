-- returns: aggregates
-- NRM referral of the victims identified in the period, by age group: how many were identified
-- and how many of them have been referred (by the last date in the data, whenever referred).
with victims as (
    select v.age_group, v.nrm_referred
    from victim as v
    join operation as o using (operation_id)
    where date_trunc('month', v.identified_on) between $start and $end
      and in_view($forces, $crime_types, $agencies, o.force_code, o.crime_type, o.lead_agency)
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
