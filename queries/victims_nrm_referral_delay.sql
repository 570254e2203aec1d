-- returns: aggregates
-- Days from identification to NRM referral of the referred victims identified in the period:
-- how many victims took each number of days.
with referred as (
    select (v.nrm_referred_on - v.identified_on)::integer as days
    from victim as v
    join operation as o using (operation_id)
    where date_trunc('month', v.identified_on) between $start and $end
      and v.nrm_referred
      and in_view($forces, $crime_types, $agencies, o.force_code, o.crime_type, o.lead_agency)
),

final as (
    select days, count(*)::integer as victims
    from referred
    group by all
)

select * from final order by days;
