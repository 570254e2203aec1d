-- returns: aggregates
-- Every measure of the monthly cube, summed over the filters, one row per month and group.
-- $split chooses the groups: 'total' (one group, 'all'), 'region', 'crime_type', 'force' or 'agency' (the lead agency).
with filtered as (
    select *
    from agg_monthly
    where month between $start and $end
      and in_view($forces, $crime_types, $agencies, force_code, crime_type, lead_agency)
),

final as (
    select
        month,
        case $split
            when 'region' then region_code
            when 'crime_type' then crime_type
            when 'force' then force_code
            when 'agency' then lead_agency
            else 'all'
        end as "group",
        sum(live_ops)::integer as live_ops,
        sum(new_ops)::integer as new_ops,
        sum(victims)::integer as victims,
        sum(child_victims)::integer as child_victims,
        sum(nrm_referrals)::integer as nrm_referrals,
        sum(arrests)::integer as arrests,
        sum(charges)::integer as charges
    from filtered
    group by all
)

select * from final order by month, "group";
