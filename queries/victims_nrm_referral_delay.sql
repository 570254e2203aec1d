-- returns: aggregates
-- Days from identification to NRM referral of the referred victims identified in the period:
-- how many victims took each number of days.
-- Read from agg_victim_month: the victims of victims_in_view counted by month, area and profile,
-- in blocks by force area, so a narrowed view reads only its own.
with referred as (
    select referral_days as days, victims
    from agg_victim_month
    where identified_month between $start and $end
      and in_view($forces, $crime_types, $agencies, force_code, crime_type, lead_agency)
      and referral_days is not null
),

final as (
    select days, sum(victims)::integer as victims
    from referred
    group by all
)

select * from final order by days;
