-- returns: aggregates
-- Every measure of the monthly cube, summed over the filters, one row per month, group and lead
-- agency (for comparisons like for like: only the agencies complete in both months).
-- $split chooses the groups: 'total' (one group, 'all'), 'region' or 'crime_type'.
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
            else 'all'
        end as "group",
        lead_agency,
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

select * from final order by month, "group", lead_agency;
