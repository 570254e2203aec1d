-- returns: aggregates
-- NRM referral of the victims identified in the period, by age group: how many were identified
-- and how many of them have been referred (by the last date in the data, whenever referred).
-- Read from agg_victim_month: the victims of victims_in_view counted by month, area and profile,
-- in blocks by force area, so a narrowed view reads only its own.
with victims as (
    select age_group, referral_days is not null as nrm_referred, victims
    from agg_victim_month
    where identified_month between $start and $end
      and in_view($forces, $crime_types, $agencies, force_code, crime_type, lead_agency)
),

final as (
    select
        age_group,
        sum(victims)::integer as identified,
        coalesce(sum(victims) filter (where nrm_referred), 0)::integer as referred
    from victims
    group by all
)

select * from final order by age_group;
