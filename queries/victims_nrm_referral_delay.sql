-- returns: aggregates
-- Days from identification to NRM referral of the referred victims identified in the period:
-- how many victims took each number of days.
with referred as (
    select (nrm_referred_on - identified_on)::integer as days
    from victims_in_view($start, $end, $forces, $crime_types, $agencies)
    where nrm_referred
),

final as (
    select days, count(*)::integer as victims
    from referred
    group by all
)

select * from final order by days;
